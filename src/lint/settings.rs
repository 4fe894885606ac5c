//! [`Settings`]: the `[lint]` section of `casebook.toml`, checked against the rules.
//!
//! The configuration keeps what the file says ([`config::LintSettings`]); which rules exist
//! and what each one's defaults are is known here, so unknown rule names are found here too,
//! with the file, line and column of the name.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::{self, Level};
use crate::lint::Severity;
use crate::lint::rules::{Rule, too_many_steps, ui_coupled_wording};

/// The lint settings of a project, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The most steps a case may have before `too-many-steps` warns (`max-steps`).
    pub max_steps: usize,
    /// Words that couple a case to the UI (`ui-words`).
    pub ui_words: Vec<String>,
    /// Severity overrides by rule name; `None` turns a rule off (`[lint.rules]`).
    pub rules: BTreeMap<String, Option<Severity>>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_steps: too_many_steps::DEFAULT_MAX_STEPS,
            ui_words: ui_coupled_wording::DEFAULT_WORDS
                .iter()
                .map(|w| (*w).to_owned())
                .collect(),
            rules: BTreeMap::new(),
        }
    }
}

impl Settings {
    /// The settings `raw` asks for, on top of the defaults; an error names the first rule
    /// in `raw` that is not one of `rules`.
    pub fn resolve(raw: &config::LintSettings, rules: &[&dyn Rule]) -> Result<Self, config::Error> {
        let mut settings = Self::default();
        if let Some(max_steps) = raw.max_steps {
            settings.max_steps = max_steps;
        }
        if let Some(ui_words) = &raw.ui_words {
            settings.ui_words.clone_from(ui_words);
        }
        for rule in &raw.rules {
            if !rules.iter().any(|known| known.name() == rule.name) {
                return Err(config::Error {
                    file: raw
                        .file
                        .clone()
                        .unwrap_or_else(|| Path::new(config::FILE_NAME).to_path_buf()),
                    position: rule.position,
                    kind: config::ErrorKind::Setting(format!(
                        "unknown lint rule `{}` in `lint.rules`\n(hint: `casebook lint --list-rules` shows them all)",
                        rule.name
                    )),
                });
            }
            let severity = match rule.level {
                Level::Error => Some(Severity::Error),
                Level::Warning => Some(Severity::Warning),
                Level::Off => None,
            };
            settings.rules.insert(rule.name.clone(), severity);
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::lint::rules::ALL;

    fn resolve(text: &str) -> Result<Settings, config::Error> {
        let config =
            Config::from_str(text, Path::new("casebook.toml"), Path::new("/project")).unwrap();
        Settings::resolve(&config.lint, ALL)
    }

    #[test]
    fn no_keys_means_the_defaults() {
        let settings = resolve("").unwrap();
        assert_eq!(settings.max_steps, 12);
        assert!(settings.ui_words.iter().any(|w| w == "click"));
        assert!(settings.rules.is_empty());
    }

    #[test]
    fn the_shipped_casebook_toml_documents_the_defaults() {
        let shipped = resolve(include_str!("../../casebook.toml")).unwrap();
        let defaults = Settings::default();
        assert_eq!(shipped.max_steps, defaults.max_steps);
        assert_eq!(shipped.ui_words, defaults.ui_words);
        assert!(shipped.rules.is_empty());
    }

    #[test]
    fn every_key_is_read() {
        let settings = resolve(
            "[lint]\nmax-steps = 20\nui-words = ['click']\n\
             [lint.rules]\ntoo-many-steps = 'error'\nempty-feature = 'off'\n",
        )
        .unwrap();
        assert_eq!(settings.max_steps, 20);
        assert_eq!(settings.ui_words, ["click"]);
        assert_eq!(settings.rules["too-many-steps"], Some(Severity::Error));
        assert_eq!(settings.rules["empty-feature"], None);
    }

    #[test]
    fn an_unknown_rule_is_named() {
        let err = resolve("[lint.rules]\nno-such-rule = 'off'\n").unwrap_err();
        assert_eq!(err.position, Some((2, 1)));
        assert!(
            err.kind
                .to_string()
                .contains("unknown lint rule `no-such-rule`"),
            "{err}"
        );
        assert!(err.to_string().starts_with("casebook.toml:2:1: "), "{err}");
    }
}
