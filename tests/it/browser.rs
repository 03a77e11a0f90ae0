//! The scorecard as a person sees it: the sample data is run with `run --report`, then headless Chromium loads an
//! LA's page and the overview, with no console message (the pages' content security policy turns any attempt to
//! reach the network into one) and writes screenshots, which must not be blank. The rendered DOM must have every
//! section of the catalogue.
//!
//! Chromium comes from `scripts/install-chromium.sh`, which `.ci/run` calls. Without it the test fails and says how
//! to install it, unless `CSC_BROWSER_TEST=skip` says it cannot be installed on this machine; the test then says
//! it was skipped.

use csc_indicators::compute::engine::RangeRequest;
use csc_indicators::output::report::{self, ReportOptions};
use csc_indicators::pipeline::{self, RunOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("CSC_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Runs headless Chromium on a page; returns what it logged to stderr.
fn chromium_run(browser: &Path, profile: &Path, page: &Path, args: &[String]) -> (String, String) {
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    assert!(
        output.status.success(),
        "chromium failed on {}: {}",
        page.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The console lines Chromium logged for the page (a CSP violation, a script error, any console call).
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

#[test]
fn the_sample_scorecards_render_in_chromium() {
    let Some(browser) = chromium() else {
        if std::env::var("CSC_BROWSER_TEST").as_deref() == Ok("skip") {
            eprintln!(
                "SKIPPED the_sample_scorecards_render_in_chromium: Chromium is not installed and CSC_BROWSER_TEST=skip"
            );
            return;
        }
        panic!(
            "Chromium is not installed: run scripts/install-chromium.sh (Debian package `chromium`), or set \
             CSC_BROWSER_TEST=skip on a machine that cannot install it"
        );
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    pipeline::run(&RunOptions {
        data_dir: root.join("data"),
        catalogue: root.join("indicators.yaml"),
        out_dir: out.clone(),
        as_of: None,
        range: RangeRequest::default(),
        las: Vec::new(),
        indicators: Vec::new(),
        batch_input_mb: pipeline::DEFAULT_BATCH_INPUT_MB,
    })
    .unwrap();
    report::write(&ReportOptions {
        out_dir: out.clone(),
        catalogue: root.join("indicators.yaml"),
        data_dir: None,
        las: Vec::new(),
        period: None,
        xlsx: false,
    })
    .unwrap();
    let catalogue = csc_indicators::catalogue::load(&root.join("indicators.yaml")).unwrap();
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for (page, height) in [("873.html", 9000), ("index.html", 1000)] {
        let path = out.join("report").join(page);
        let shot = shots.join(page.replace(".html", ".png"));
        let _ = std::fs::remove_file(&shot);
        let profile = work.path().join(format!("profile-{page}"));
        let (_, stderr) = chromium_run(
            &browser,
            &profile,
            &path,
            &[
                format!("--window-size=1280,{height}"),
                format!("--screenshot={}", shot.display()),
            ],
        );
        assert_eq!(
            console_lines(&stderr),
            Vec::<&str>::new(),
            "{page}: console messages (a blocked request or a script error)"
        );
        let image = Png::read(&shot);
        assert!(
            image.width == 1280 && image.height == height,
            "{page}: {}x{}",
            image.width,
            image.height
        );
        let (distinct, share) = image.colours();
        assert!(
            distinct > 20 && share > 0.05,
            "{page} looks blank: {distinct} colours, {:.1}% of pixels off the background",
            share * 100.0
        );
        eprintln!("screenshot of {page}: {}", shot.display());
    }
    let (dom, _) = chromium_run(
        &browser,
        &work.path().join("profile-dom"),
        &out.join("report").join("873.html"),
        &["--dump-dom".to_string()],
    );
    for section in &catalogue.report.sections {
        assert!(
            dom.contains(&format!(">{}</h2>", html_escaped(&section.title))),
            "section `{}` is not on the rendered page",
            section.title
        );
    }
    for indicator in &catalogue.indicators {
        assert!(
            dom.contains(&format!("id=\"indicator-{}\"", indicator.id)),
            "no card for `{}`",
            indicator.id
        );
    }
    assert!(dom.contains("Data quality</h2>"));
}

fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An 8-bit RGB or RGBA PNG, decoded just enough to look at its pixels.
struct Png {
    width: usize,
    height: usize,
    channels: usize,
    pixels: Vec<u8>,
}

impl Png {
    fn read(path: &Path) -> Png {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
        let (mut at, mut header, mut data) = (8, None, Vec::new());
        while at + 8 <= bytes.len() {
            let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
            let kind = &bytes[at + 4..at + 8];
            let body = &bytes[at + 8..at + 8 + len];
            match kind {
                b"IHDR" => header = Some(body.to_vec()),
                b"IDAT" => data.extend_from_slice(body),
                _ => {}
            }
            at += 12 + len;
        }
        let header = header.expect("IHDR");
        let width = u32::from_be_bytes(header[0..4].try_into().unwrap()) as usize;
        let height = u32::from_be_bytes(header[4..8].try_into().unwrap()) as usize;
        assert_eq!(header[8], 8, "8-bit samples");
        let channels = match header[9] {
            2 => 3,
            6 => 4,
            other => panic!("colour type {other}"),
        };
        assert_eq!(header[12], 0, "not interlaced");
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(&data[..])
            .read_to_end(&mut raw)
            .unwrap();
        let stride = width * channels;
        let mut pixels = vec![0u8; stride * height];
        for y in 0..height {
            let filter = raw[y * (stride + 1)];
            let line = &raw[y * (stride + 1) + 1..(y + 1) * (stride + 1)];
            for x in 0..stride {
                let a = if x >= channels {
                    pixels[y * stride + x - channels]
                } else {
                    0
                };
                let b = if y > 0 {
                    pixels[(y - 1) * stride + x]
                } else {
                    0
                };
                let c = if x >= channels && y > 0 {
                    pixels[(y - 1) * stride + x - channels]
                } else {
                    0
                };
                let predicted = match filter {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => ((a as u16 + b as u16) / 2) as u8,
                    4 => paeth(a, b, c),
                    other => panic!("filter {other}"),
                };
                pixels[y * stride + x] = line[x].wrapping_add(predicted);
            }
        }
        Png {
            width,
            height,
            channels,
            pixels,
        }
    }

    /// How many distinct colours, and the share of pixels not of the most common colour (the background).
    fn colours(&self) -> (usize, f64) {
        let mut counts: std::collections::HashMap<&[u8], usize> = std::collections::HashMap::new();
        for p in self.pixels.chunks(self.channels) {
            *counts.entry(&p[..3]).or_default() += 1;
        }
        let background = counts.values().copied().max().unwrap_or(0);
        let total = self.width * self.height;
        (counts.len(), 1.0 - background as f64 / total as f64)
    }
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let (pa, pb, pc) = (
        (p - a as i16).abs(),
        (p - b as i16).abs(),
        (p - c as i16).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}
