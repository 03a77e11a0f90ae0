//! An ODBC connection string, kept whole for the driver manager and shown to people only with its secrets
//! redacted.

use std::fmt;

/// The attribute names whose values are secrets: never logged, never written, scrubbed from drivers' messages.
const SECRET_KEYS: &[&str] = &[
    "pwd",
    "password",
    "accesstoken",
    "access_token",
    "clientsecret",
];

/// An ODBC connection string (`Driver={PostgreSQL Unicode};Server=...;Uid=...;Pwd=...`). Its `Debug` and `Display`
/// show the redacted form, so that a password cannot reach a log line by accident.
#[derive(Clone)]
pub struct ConnectionString {
    text: String,
    /// `(key, value)` pairs in order; a part with no `=` is kept with an empty key (see [`Self::has_fragments`]).
    attributes: Vec<(String, String)>,
}

impl ConnectionString {
    /// Parses `key=value` pairs separated by `;`, where a value in braces (`{a;b}`) may hold `;` and `}}` is a
    /// literal `}`. Anything is accepted: the driver manager is the judge of what a string means. A part with no
    /// `=` is most often the rest of a value that holds `;` without braces (`Pwd=abc;def`): it is never shown.
    pub fn new(text: impl Into<String>) -> ConnectionString {
        let text = text.into();
        let attributes = parse(&text);
        ConnectionString { text, attributes }
    }

    /// The string as the driver manager needs it, secrets included. Only for connecting.
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// The value of an attribute, by name ignoring case.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// The same string with the `Driver` attribute replaced (or added) by `driver`.
    pub fn with_driver(&self, driver: &str) -> ConnectionString {
        let mut parts: Vec<String> = vec![format!("Driver={{{}}}", driver.replace('}', "}}"))];
        for (k, v) in &self.attributes {
            if k.is_empty() {
                parts.push(v.clone());
            } else if !k.eq_ignore_ascii_case("driver") {
                parts.push(format!("{k}={}", quote(v)));
            }
        }
        ConnectionString::new(parts.join(";"))
    }

    /// The same string with `key=value` added, unless the string sets `key` already.
    pub fn with_default(&self, key: &str, value: &str) -> ConnectionString {
        if self.get(key).is_some() {
            return self.clone();
        }
        let mut text = self.text.trim_end().trim_end_matches(';').to_string();
        text.push_str(&format!(";{key}={}", quote(value)));
        ConnectionString::new(text)
    }

    /// Whether a part of the string has no `=`: the rest of a value holding `;` without braces, which the driver
    /// manager does not read as part of the value (a password cut short, a failed login).
    pub fn has_fragments(&self) -> bool {
        self.attributes.iter().any(|(k, _)| k.is_empty())
    }

    /// The string with every secret's value, and every part with no `=`, replaced by `***`: what `extract.json`
    /// and messages show.
    pub fn redacted(&self) -> String {
        self.attributes
            .iter()
            .map(|(k, v)| {
                if k.is_empty() {
                    "***".to_string()
                } else if is_secret(k) {
                    format!("{k}=***")
                } else {
                    format!("{k}={}", quote(v))
                }
            })
            .collect::<Vec<_>>()
            .join(";")
    }

    /// `message` with any secret value of this string replaced by `***`, for messages a driver composed (some
    /// echo the connection string back).
    pub fn scrub(&self, message: &str) -> String {
        let mut out = message.to_string();
        for (k, v) in &self.attributes {
            if (k.is_empty() || is_secret(k)) && !v.is_empty() {
                out = out.replace(v.as_str(), "***");
            }
        }
        out
    }
}

impl fmt::Debug for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConnectionString({:?})", self.redacted())
    }
}

impl fmt::Display for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

fn is_secret(key: &str) -> bool {
    SECRET_KEYS
        .iter()
        .any(|s| key.trim().eq_ignore_ascii_case(s))
}

/// A value as written in a connection string: in braces when it holds a character that would end it.
fn quote(value: &str) -> String {
    if value.contains([';', '{', '}', '=']) || value.starts_with(' ') || value.ends_with(' ') {
        format!("{{{}}}", value.replace('}', "}}"))
    } else {
        value.to_string()
    }
}

fn parse(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        let mut key = String::new();
        let mut has_value = false;
        for c in chars.by_ref() {
            if c == '=' || c == ';' {
                has_value = c == '=';
                break;
            }
            key.push(c);
        }
        let key = key.trim().to_string();
        if !has_value {
            if !key.is_empty() {
                out.push((String::new(), key));
            }
            if chars.peek().is_none() {
                break;
            }
            continue;
        }
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'{') {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '}' {
                    if chars.peek() == Some(&'}') {
                        chars.next();
                        value.push('}');
                    } else {
                        break;
                    }
                } else {
                    value.push(c);
                }
            }
            for c in chars.by_ref() {
                if c == ';' {
                    break;
                }
            }
        } else {
            for c in chars.by_ref() {
                if c == ';' {
                    break;
                }
                value.push(c);
            }
            value = value.trim().to_string();
        }
        if !key.is_empty() {
            out.push((key, value));
        }
        if chars.peek().is_none() {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ConnectionString;

    #[test]
    fn passwords_are_redacted_in_every_form_a_person_sees() {
        let c = ConnectionString::new(
            "Driver={ODBC Driver 18 for SQL Server};Server=tcp:db,1433;UID=bi;PWD={p;a}}ss};Encrypt=yes",
        );
        assert_eq!(c.get("pwd"), Some("p;a}ss"));
        assert_eq!(c.get("driver"), Some("ODBC Driver 18 for SQL Server"));
        let shown = c.redacted();
        assert!(!shown.contains("p;a"), "{shown}");
        assert!(shown.contains("PWD=***"), "{shown}");
        assert!(!format!("{c:?} {c}").contains("ss}"));
        assert_eq!(c.scrub("login with p;a}ss failed"), "login with *** failed");
    }

    #[test]
    fn the_rest_of_a_password_holding_a_semicolon_without_braces_is_never_shown() {
        let c = ConnectionString::new(
            "Driver={PostgreSQL Unicode};Uid=ssd;Pwd=first;rest-of-it;Port=5432",
        );
        assert!(c.has_fragments());
        assert_eq!(c.get("pwd"), Some("first"));
        assert_eq!(c.get("port"), Some("5432"));
        assert_eq!(
            c.redacted(),
            "Driver=PostgreSQL Unicode;Uid=ssd;Pwd=***;***;Port=5432"
        );
        assert_eq!(c.scrub("rejected rest-of-it"), "rejected ***");
        assert!(
            c.with_driver("psqlodbcw.so")
                .expose()
                .contains(";Pwd=first;rest-of-it;"),
            "the driver manager gets the string as written"
        );
        let braced = ConnectionString::new("Uid=ssd;Pwd={first;rest-of-it}");
        assert!(!braced.has_fragments());
        assert_eq!(braced.get("pwd"), Some("first;rest-of-it"));
    }

    #[test]
    fn a_default_is_added_only_where_the_string_does_not_say() {
        let c = ConnectionString::new("Driver={PostgreSQL Unicode};Server=db;");
        assert_eq!(
            c.with_default("UseDeclareFetch", "1").expose(),
            "Driver={PostgreSQL Unicode};Server=db;UseDeclareFetch=1"
        );
        let set = ConnectionString::new("Driver={PostgreSQL Unicode};usedeclarefetch=0");
        assert_eq!(
            set.with_default("UseDeclareFetch", "1").expose(),
            set.expose()
        );
    }

    #[test]
    fn a_driver_is_replaced_and_the_rest_kept() {
        let c = ConnectionString::new(
            "Driver={PostgreSQL Unicode}; Server=127.0.0.1;Port=5432;Password=x y",
        );
        let d = c.with_driver("/usr/lib/odbc/psqlodbcw.so");
        assert_eq!(d.get("driver"), Some("/usr/lib/odbc/psqlodbcw.so"));
        assert_eq!(d.get("server"), Some("127.0.0.1"));
        assert_eq!(d.get("password"), Some("x y"));
        assert_eq!(
            d.redacted(),
            "Driver=/usr/lib/odbc/psqlodbcw.so;Server=127.0.0.1;Port=5432;Password=***"
        );
    }
}
