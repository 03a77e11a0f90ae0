//! Checks of how the scorecard presents the catalogue: the headline window, the sections, the overview and the
//! narrative templates (every slot's indicator and window must exist).

use super::model::{Indicator, Narrative, ReportLayout, Section, Unit, Window, Windows};
use super::raw::{RawIndicator, RawReport};
use super::recover::suggest;
use super::scope::Checker;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

/// The windows each indicator declares, by id, for checking the slots of narratives before the indicators are
/// built; an indicator whose windows do not all parse is left out (its own problems say why).
pub(super) type DeclaredWindows = BTreeMap<String, Vec<Window>>;

/// The windows of every indicator whose declared windows all parse.
pub(super) fn declared_windows(raw: &[RawIndicator]) -> DeclaredWindows {
    raw.iter()
        .filter_map(|r| {
            let windows: Option<Vec<Window>> = r
                .windows
                .value
                .iter()
                .map(|w| Window::parse(&w.value))
                .collect();
            Some((r.id.value.clone(), windows?))
        })
        .collect()
}

impl Checker<'_> {
    /// The window the scorecard shows first: `headline` when given (one of the indicator's windows), else the first
    /// window listed.
    pub(super) fn headline(&mut self, r: &RawIndicator, windows: &Windows) -> Option<Window> {
        let all = windows.all();
        let Some(h) = &r.headline else {
            return all.first().copied();
        };
        match Window::parse(&h.value) {
            Some(w) if all.contains(&w) => Some(w),
            _ => {
                let names: Vec<String> = all.iter().map(|w| w.to_string()).collect();
                let hint = suggest(&h.value, names.iter().map(String::as_str));
                self.at(
                    &h.referenced,
                    format!(
                        "headline window `{}` is not one of the indicator's windows ({}){hint}",
                        h.value,
                        names.join(", ")
                    ),
                );
                None
            }
        }
    }

    /// The sections the `report` section declares, in order; a section declared twice is a problem.
    pub(super) fn sections(&mut self, report: Option<&RawReport>) -> Vec<Section> {
        let mut sections: Vec<Section> = Vec::new();
        for s in report.map_or(&[][..], |r| &r.sections) {
            if sections.iter().any(|k| k.id == s.id.value) {
                self.at(
                    &s.id.referenced,
                    format!("section `{}` is declared twice", s.id.value),
                );
            }
            sections.push(Section {
                id: s.id.value.clone(),
                title: s.title.clone(),
            });
        }
        sections
    }

    /// An indicator's section and its own narrative, checked against the declared sections and the windows of the
    /// indicators its slots name.
    pub(super) fn presentation(
        &mut self,
        r: &RawIndicator,
        sections: &[Section],
        windows: &DeclaredWindows,
        raw: &[RawIndicator],
    ) -> (Option<String>, Option<Narrative>) {
        let section = self.section_of(r, sections);
        let narrative = r.narrative.as_ref().and_then(|text| {
            let context = format!("indicator `{}`: narrative", r.id.value);
            self.narrative(text, &context, &r.id.value, windows, raw)
        });
        (section, narrative)
    }

    /// The scorecard's layout: the sections, the overview's indicators and each unit's narrative (checked as every
    /// indicator without a narrative of its own uses it).
    pub(super) fn layout(
        &mut self,
        report: Option<&RawReport>,
        sections: Vec<Section>,
        raw: &[RawIndicator],
        indicators: &[Indicator],
        windows: &DeclaredWindows,
    ) -> ReportLayout {
        let mut layout = ReportLayout {
            sections,
            ..ReportLayout::default()
        };
        let Some(report) = report else {
            return layout;
        };
        for id in &report.overview {
            if indicators.iter().any(|i| i.id == id.value) {
                layout.overview.push(id.value.clone());
            } else if !raw.iter().any(|r| r.id.value == id.value) {
                let hint = suggest(&id.value, raw.iter().map(|r| r.id.value.as_str()));
                self.at(
                    &id.referenced,
                    format!("the overview names unknown indicator `{}`{hint}", id.value),
                );
            }
        }
        let n = &report.narratives;
        for (unit, text) in [
            (Unit::Count, &n.count),
            (Unit::Percent, &n.percent),
            (Unit::RatePer10k, &n.rate_per_10k),
            (Unit::Days, &n.days),
            (Unit::Mean, &n.mean),
        ] {
            let Some(text) = text else { continue };
            let users = indicators
                .iter()
                .filter(|i| i.unit() == unit && i.narrative.is_none());
            let mut parsed = None;
            for user in users {
                let context = format!(
                    "the `{}` narrative, as indicator `{}` uses it",
                    unit.name(),
                    user.id
                );
                parsed = self.narrative(text, &context, &user.id, windows, raw);
                if parsed.is_none() {
                    break;
                }
            }
            if let Some(p) = parsed.or_else(|| self.parse_only(text, unit)) {
                layout.narratives.push((unit, p));
            }
        }
        layout
    }

    fn section_of(&mut self, r: &RawIndicator, sections: &[Section]) -> Option<String> {
        match (&r.section, sections.is_empty()) {
            (None, true) => None,
            (Some(s), true) => {
                self.at(
                    &s.referenced,
                    format!(
                        "indicator `{}`: section `{}` is not declared: list the sections under `report: sections:`",
                        r.id.value, s.value
                    ),
                );
                None
            }
            (None, false) => {
                let ids: Vec<&str> = sections.iter().map(|s| s.id.as_str()).collect();
                self.at(
                    &r.id.referenced,
                    format!(
                        "indicator `{}` needs a `section:` (one of {})",
                        r.id.value,
                        ids.join(", ")
                    ),
                );
                None
            }
            (Some(s), false) if sections.iter().any(|k| k.id == s.value) => Some(s.value.clone()),
            (Some(s), false) => {
                let hint = suggest(&s.value, sections.iter().map(|k| k.id.as_str()));
                self.at(
                    &s.referenced,
                    format!(
                        "indicator `{}`: unknown section `{}`{hint}",
                        r.id.value, s.value
                    ),
                );
                None
            }
        }
    }

    /// A unit narrative no indicator uses: checked for its syntax only.
    fn parse_only(&mut self, text: &Spanned<String>, unit: Unit) -> Option<Narrative> {
        match Narrative::parse(&text.value) {
            Ok(n) => Some(n),
            Err(e) => {
                self.at(
                    &text.referenced,
                    format!("the `{}` narrative: {e}", unit.name()),
                );
                None
            }
        }
    }

    /// Parses a template and checks that every slot names an indicator and a window that exist.
    fn narrative(
        &mut self,
        text: &Spanned<String>,
        context: &str,
        owner: &str,
        declared: &DeclaredWindows,
        raw: &[RawIndicator],
    ) -> Option<Narrative> {
        let narrative = match Narrative::parse(&text.value) {
            Ok(n) => n,
            Err(e) => {
                self.at(&text.referenced, format!("{context}: {e}"));
                return None;
            }
        };
        let mut ok = true;
        for slot in narrative.slots() {
            let id = slot.indicator.as_deref().unwrap_or(owner);
            let Some(windows) = declared.get(id) else {
                if !raw.iter().any(|r| r.id.value == id) {
                    let hint = suggest(id, raw.iter().map(|r| r.id.value.as_str()));
                    self.at(
                        &text.referenced,
                        format!("{context}: unknown indicator `{id}`{hint}"),
                    );
                }
                ok = false;
                continue;
            };
            if let Some(w) = slot.window
                && slot.field.reads_a_window()
                && !windows.contains(&w)
            {
                let names: Vec<String> = windows.iter().map(|w| w.to_string()).collect();
                self.at(
                    &text.referenced,
                    format!(
                        "{context}: indicator `{id}` has no window `{w}` (it has {})",
                        names.join(", ")
                    ),
                );
                ok = false;
            }
        }
        ok.then_some(narrative)
    }
}
