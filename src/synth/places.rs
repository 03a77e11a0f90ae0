//! Reference data the generator writes: England's 153 local authorities with their regions and child
//! populations, statistical neighbours, and England and Wales bank holidays.

use chrono::{Datelike, NaiveDate, Weekday};

/// One local authority: DfE code, ONS code, name, region index, and children aged 0-17 (thousands, about 2022).
pub struct Authority {
    /// DfE 3-digit code.
    pub code: &'static str,
    /// ONS 9-character code.
    pub ons: &'static str,
    /// Name.
    pub name: &'static str,
    /// Index into [`REGIONS`].
    pub region: usize,
    /// Children aged 0-17, thousands (approximate).
    pub children_k: f64,
}

/// ONS region code and name.
pub const REGIONS: [(&str, &str); 9] = [
    ("E12000001", "North East"),
    ("E12000002", "North West"),
    ("E12000003", "Yorkshire and The Humber"),
    ("E12000004", "East Midlands"),
    ("E12000005", "West Midlands"),
    ("E12000006", "East of England"),
    ("E12000007", "London"),
    ("E12000008", "South East"),
    ("E12000009", "South West"),
];

macro_rules! las {
    ($($code:literal $ons:literal $name:literal $region:literal $k:literal;)*) => {
        &[$(Authority { code: $code, ons: $ons, name: $name, region: $region, children_k: $k }),*]
    };
}

/// England's 153 local authorities with children's services (as from April 2023).
pub static AUTHORITIES: &[Authority] = las![
    "201" "E09000001" "City of London" 6 1.0;
    "202" "E09000007" "Camden" 6 40.0;
    "203" "E09000011" "Greenwich" 6 67.0;
    "204" "E09000012" "Hackney" 6 60.0;
    "205" "E09000013" "Hammersmith and Fulham" 6 34.0;
    "206" "E09000019" "Islington" 6 38.0;
    "207" "E09000020" "Kensington and Chelsea" 6 26.0;
    "208" "E09000022" "Lambeth" 6 58.0;
    "209" "E09000023" "Lewisham" 6 65.0;
    "210" "E09000028" "Southwark" 6 61.0;
    "211" "E09000030" "Tower Hamlets" 6 68.0;
    "212" "E09000032" "Wandsworth" 6 59.0;
    "213" "E09000033" "Westminster" 6 35.0;
    "301" "E09000002" "Barking and Dagenham" 6 64.0;
    "302" "E09000003" "Barnet" 6 92.0;
    "303" "E09000004" "Bexley" 6 57.0;
    "304" "E09000005" "Brent" 6 77.0;
    "305" "E09000006" "Bromley" 6 75.0;
    "306" "E09000008" "Croydon" 6 93.0;
    "307" "E09000009" "Ealing" 6 81.0;
    "308" "E09000010" "Enfield" 6 80.0;
    "309" "E09000014" "Haringey" 6 55.0;
    "310" "E09000015" "Harrow" 6 62.0;
    "311" "E09000016" "Havering" 6 61.0;
    "312" "E09000017" "Hillingdon" 6 75.0;
    "313" "E09000018" "Hounslow" 6 67.0;
    "314" "E09000021" "Kingston upon Thames" 6 38.0;
    "315" "E09000024" "Merton" 6 48.0;
    "316" "E09000025" "Newham" 6 86.0;
    "317" "E09000026" "Redbridge" 6 76.0;
    "318" "E09000027" "Richmond upon Thames" 6 44.0;
    "319" "E09000029" "Sutton" 6 47.0;
    "320" "E09000031" "Waltham Forest" 6 63.0;
    "330" "E08000025" "Birmingham" 4 290.0;
    "331" "E08000026" "Coventry" 4 80.0;
    "332" "E08000027" "Dudley" 4 67.0;
    "333" "E08000028" "Sandwell" 4 82.0;
    "334" "E08000029" "Solihull" 4 47.0;
    "335" "E08000030" "Walsall" 4 68.0;
    "336" "E08000031" "Wolverhampton" 4 62.0;
    "340" "E08000011" "Knowsley" 1 36.0;
    "341" "E08000012" "Liverpool" 1 100.0;
    "342" "E08000013" "St. Helens" 1 36.0;
    "343" "E08000014" "Sefton" 1 53.0;
    "344" "E08000015" "Wirral" 1 66.0;
    "350" "E08000001" "Bolton" 1 70.0;
    "351" "E08000002" "Bury" 1 43.0;
    "352" "E08000003" "Manchester" 1 125.0;
    "353" "E08000004" "Oldham" 1 60.0;
    "354" "E08000005" "Rochdale" 1 55.0;
    "355" "E08000006" "Salford" 1 60.0;
    "356" "E08000007" "Stockport" 1 65.0;
    "357" "E08000008" "Tameside" 1 51.0;
    "358" "E08000009" "Trafford" 1 56.0;
    "359" "E08000010" "Wigan" 1 69.0;
    "370" "E08000016" "Barnsley" 2 52.0;
    "371" "E08000017" "Doncaster" 2 66.0;
    "372" "E08000018" "Rotherham" 2 58.0;
    "373" "E08000019" "Sheffield" 2 117.0;
    "380" "E08000032" "Bradford" 2 140.0;
    "381" "E08000033" "Calderdale" 2 46.0;
    "382" "E08000034" "Kirklees" 2 96.0;
    "383" "E08000035" "Leeds" 2 175.0;
    "384" "E08000036" "Wakefield" 2 76.0;
    "390" "E08000037" "Gateshead" 0 38.0;
    "391" "E08000021" "Newcastle upon Tyne" 0 60.0;
    "392" "E08000022" "North Tyneside" 0 42.0;
    "393" "E08000023" "South Tyneside" 0 30.0;
    "394" "E08000024" "Sunderland" 0 54.0;
    "420" "E06000053" "Isles of Scilly" 8 0.4;
    "800" "E06000022" "Bath and North East Somerset" 8 36.0;
    "801" "E06000023" "Bristol, City of" 8 95.0;
    "802" "E06000024" "North Somerset" 8 44.0;
    "803" "E06000025" "South Gloucestershire" 8 62.0;
    "805" "E06000001" "Hartlepool" 0 20.0;
    "806" "E06000002" "Middlesbrough" 0 35.0;
    "807" "E06000003" "Redcar and Cleveland" 0 27.0;
    "808" "E06000004" "Stockton-on-Tees" 0 42.0;
    "810" "E06000010" "Kingston upon Hull, City of" 2 57.0;
    "811" "E06000011" "East Riding of Yorkshire" 2 63.0;
    "812" "E06000012" "North East Lincolnshire" 2 34.0;
    "813" "E06000013" "North Lincolnshire" 2 35.0;
    "815" "E06000065" "North Yorkshire" 2 119.0;
    "816" "E06000014" "York" 2 35.0;
    "821" "E06000032" "Luton" 5 60.0;
    "822" "E06000055" "Bedford" 5 42.0;
    "823" "E06000056" "Central Bedfordshire" 5 69.0;
    "825" "E06000060" "Buckinghamshire" 7 125.0;
    "826" "E06000042" "Milton Keynes" 7 68.0;
    "830" "E10000007" "Derbyshire" 3 156.0;
    "831" "E06000015" "Derby" 3 60.0;
    "838" "E06000059" "Dorset" 8 67.0;
    "839" "E06000058" "Bournemouth, Christchurch and Poole" 8 73.0;
    "840" "E06000047" "County Durham" 0 103.0;
    "841" "E06000005" "Darlington" 0 22.0;
    "845" "E10000011" "East Sussex" 7 103.0;
    "846" "E06000043" "Brighton and Hove" 7 49.0;
    "850" "E10000014" "Hampshire" 7 280.0;
    "851" "E06000044" "Portsmouth" 7 43.0;
    "852" "E06000045" "Southampton" 7 52.0;
    "855" "E10000018" "Leicestershire" 3 143.0;
    "856" "E06000016" "Leicester" 3 85.0;
    "857" "E06000017" "Rutland" 3 7.0;
    "860" "E10000028" "Staffordshire" 4 173.0;
    "861" "E06000021" "Stoke-on-Trent" 4 59.0;
    "865" "E06000054" "Wiltshire" 8 107.0;
    "866" "E06000030" "Swindon" 8 55.0;
    "867" "E06000036" "Bracknell Forest" 7 28.0;
    "868" "E06000040" "Windsor and Maidenhead" 7 35.0;
    "869" "E06000037" "West Berkshire" 7 36.0;
    "870" "E06000038" "Reading" 7 38.0;
    "871" "E06000039" "Slough" 7 43.0;
    "872" "E06000041" "Wokingham" 7 40.0;
    "873" "E10000003" "Cambridgeshire" 5 140.0;
    "874" "E06000031" "Peterborough" 5 55.0;
    "876" "E06000006" "Halton" 1 28.0;
    "877" "E06000007" "Warrington" 1 44.0;
    "878" "E10000008" "Devon" 8 142.0;
    "879" "E06000026" "Plymouth" 8 53.0;
    "880" "E06000027" "Torbay" 8 24.0;
    "881" "E10000012" "Essex" 5 320.0;
    "882" "E06000033" "Southend-on-Sea" 5 39.0;
    "883" "E06000034" "Thurrock" 5 44.0;
    "884" "E06000019" "Herefordshire, County of" 4 34.0;
    "885" "E10000034" "Worcestershire" 4 121.0;
    "886" "E10000016" "Kent" 7 345.0;
    "887" "E06000035" "Medway" 7 63.0;
    "888" "E10000017" "Lancashire" 1 250.0;
    "889" "E06000008" "Blackburn with Darwen" 1 39.0;
    "890" "E06000009" "Blackpool" 1 29.0;
    "891" "E10000024" "Nottinghamshire" 3 168.0;
    "892" "E06000018" "Nottingham" 3 66.0;
    "893" "E06000051" "Shropshire" 4 59.0;
    "894" "E06000020" "Telford and Wrekin" 4 40.0;
    "895" "E06000049" "Cheshire East" 1 81.0;
    "896" "E06000050" "Cheshire West and Chester" 1 68.0;
    "908" "E06000052" "Cornwall" 8 105.0;
    "916" "E10000013" "Gloucestershire" 8 134.0;
    "919" "E10000015" "Hertfordshire" 5 265.0;
    "921" "E06000046" "Isle of Wight" 7 24.0;
    "925" "E10000019" "Lincolnshire" 3 143.0;
    "926" "E10000020" "Norfolk" 5 176.0;
    "929" "E06000057" "Northumberland" 0 59.0;
    "931" "E10000025" "Oxfordshire" 7 142.0;
    "933" "E06000066" "Somerset" 8 111.0;
    "935" "E10000029" "Suffolk" 5 152.0;
    "936" "E10000030" "Surrey" 7 266.0;
    "937" "E10000031" "Warwickshire" 4 124.0;
    "938" "E10000032" "West Sussex" 7 182.0;
    "940" "E06000061" "North Northamptonshire" 3 80.0;
    "941" "E06000062" "West Northamptonshire" 3 93.0;
    "942" "E06000063" "Cumberland" 1 52.0;
    "943" "E06000064" "Westmorland and Furness" 1 40.0;
];

/// The authority with this DfE code.
pub fn authority(code: &str) -> Option<&'static Authority> {
    AUTHORITIES.iter().find(|a| a.code == code)
}

/// The ten statistical neighbours of an authority: the authorities closest in child population, preferring the
/// same region (a synthetic stand-in for the DfE model).
pub fn neighbours(a: &Authority) -> Vec<&'static Authority> {
    let mut others: Vec<(f64, &'static Authority)> = AUTHORITIES
        .iter()
        .filter(|o| o.code != a.code)
        .map(|o| {
            let size = (o.children_k.ln() - a.children_k.ln()).abs();
            let region = if o.region == a.region { 0.0 } else { 0.35 };
            (size + region, o)
        })
        .collect();
    others.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.code.cmp(y.1.code)));
    others.into_iter().take(10).map(|(_, o)| o).collect()
}

/// England and Wales bank holidays from `first` to `last` year, with their titles.
pub fn bank_holidays(first: i32, last: i32) -> Vec<(NaiveDate, &'static str)> {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("valid date");
    let mut out = Vec::new();
    for y in first..=last {
        let new_year = d(y, 1, 1);
        out.push((weekday_or_monday(new_year), "New Year's Day"));
        let easter = easter_sunday(y);
        out.push((easter - chrono::Duration::days(2), "Good Friday"));
        out.push((easter + chrono::Duration::days(1), "Easter Monday"));
        match y {
            2020 => out.push((d(2020, 5, 8), "Early May bank holiday (VE day)")),
            _ => out.push((first_monday(y, 5), "Early May bank holiday")),
        }
        if y == 2023 {
            out.push((
                d(2023, 5, 8),
                "Bank holiday for the coronation of King Charles III",
            ));
        }
        if y == 2022 {
            out.push((d(2022, 6, 2), "Spring bank holiday"));
            out.push((d(2022, 6, 3), "Platinum Jubilee bank holiday"));
            out.push((
                d(2022, 9, 19),
                "Bank Holiday for the State Funeral of Queen Elizabeth II",
            ));
        } else {
            out.push((last_monday(y, 5), "Spring bank holiday"));
        }
        out.push((last_monday(y, 8), "Summer bank holiday"));
        let christmas = d(y, 12, 25);
        let (c, b) = match christmas.weekday() {
            Weekday::Fri => (christmas, d(y, 12, 28)),
            Weekday::Sat => (d(y, 12, 27), d(y, 12, 28)),
            Weekday::Sun => (d(y, 12, 27), d(y, 12, 26)),
            _ => (christmas, d(y, 12, 26)),
        };
        out.push((c, "Christmas Day"));
        out.push((b, "Boxing Day"));
    }
    out.sort();
    out
}

fn weekday_or_monday(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Sat => date + chrono::Duration::days(2),
        Weekday::Sun => date + chrono::Duration::days(1),
        _ => date,
    }
}

fn first_monday(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1)
        .expect("a first Monday exists")
}

fn last_monday(year: i32, month: u32) -> NaiveDate {
    let last = crate::common::calendar::Month::new(year, month)
        .expect("valid month")
        .period_end();
    last - chrono::Duration::days(last.weekday().num_days_from_monday() as i64)
}

/// Easter Sunday (anonymous Gregorian algorithm).
fn easter_sunday(y: i32) -> NaiveDate {
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(y, month as u32, day as u32).expect("Easter is a valid date")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_153_authorities_with_unique_codes() {
        assert_eq!(AUTHORITIES.len(), 153);
        let mut codes: Vec<_> = AUTHORITIES.iter().map(|a| a.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 153);
        let mut ons: Vec<_> = AUTHORITIES.iter().map(|a| a.ons).collect();
        ons.sort();
        ons.dedup();
        assert_eq!(ons.len(), 153);
    }

    #[test]
    fn bank_holidays_include_the_one_off_days_and_substitutes() {
        let days: Vec<String> = bank_holidays(2020, 2023)
            .iter()
            .map(|(d, _)| d.to_string())
            .collect();
        for one_off in [
            "2020-05-08",
            "2022-06-02",
            "2022-06-03",
            "2022-09-19",
            "2023-05-08",
            "2023-05-01",
        ] {
            assert!(days.contains(&one_off.to_string()), "{one_off}");
        }
        assert!(!days.contains(&"2020-05-04".to_string()));
        assert!(!days.contains(&"2022-05-30".to_string()));
        // Christmas 2022 was a Sunday: Boxing Day Monday 26, substitute Tuesday 27.
        assert!(days.contains(&"2022-12-27".to_string()));
        // Easter 2024: Good Friday 29 March, Easter Monday 1 April.
        let days24: Vec<String> = bank_holidays(2024, 2024)
            .iter()
            .map(|(d, _)| d.to_string())
            .collect();
        assert!(
            days24.contains(&"2024-03-29".to_string())
                && days24.contains(&"2024-04-01".to_string())
        );
        assert_eq!(bank_holidays(2015, 2030).len(), 16 * 8 + 3);
    }
}
