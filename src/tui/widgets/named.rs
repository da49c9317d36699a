//! Choices among store rows shown by their names, never by their ids.

use std::collections::HashMap;

/// Choice options shown by name: each option's value is its label (made unique with the id
/// when two share a name), so the form never shows database ids; the ids are looked up here.
#[derive(Default)]
pub struct Named(HashMap<(&'static str, String), i64>);

impl Named {
    /// The options of field `key`: `none` first (no id) when given, then `items` by name.
    pub fn options(
        &mut self,
        key: &'static str,
        none: Option<&str>,
        items: impl IntoIterator<Item = (i64, String)>,
    ) -> Vec<(String, String)> {
        self.0.retain(|(k, _), _| *k != key);
        let mut out: Vec<(String, String)> = none
            .map(|n| (n.to_string(), n.to_string()))
            .into_iter()
            .collect();
        for (id, name) in items {
            let mut label = name;
            if out.iter().any(|(v, _)| *v == label) {
                label = format!("{label} #{id}");
            }
            self.0.insert((key, label.clone()), id);
            out.push((label.clone(), label));
        }
        out
    }

    /// The id behind the value of field `key` (`None`: the "none" option).
    pub fn id(&self, key: &'static str, value: &str) -> Option<i64> {
        self.0.get(&(key, value.to_string())).copied()
    }
}
