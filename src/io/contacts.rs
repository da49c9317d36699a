//! Reading a contacts spreadsheet: columns found by their header (civilité, prénom, nom,
//! téléphone / mobile, consentement SMS, programme…; case, accents and spaces ignored, as for
//! `TELEPHONE`), each cell turned into a typed value or a reason. Checks that need the store
//! (duplicates, collaborators) are made by `core::import`.

use super::import::{Column, ImportError, Progress, Table, TableRow, normalise_header, read_table};
use super::issue::IssueReason;
use crate::sms::status::ParticipantKind;
use serde::Serialize;
use std::path::Path;

crate::typed_messages! {
    /// A field of a contact: what a column of a contacts file holds (the first eleven) and
    /// what only a single contact has; refusals name it (texts: `[contact_field]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum ContactField in "contact_field" {
        Kind,
        Civility,
        FirstName,
        LastName,
        Mobile,
        Mobile2,
        Landline,
        Email,
        Consent,
        Programme,
        Collaborator,
        OptOut,
        OptOutDate,
        OptOutSource,
        Attribute,
    }
}

/// How files name the column of the collaborator following a contact or an event.
pub const COLLABORATOR_HEADERS: &[&str] = &[
    "COLLABORATEUR",
    "COLLABORATRICE",
    "CONSEILLER",
    "CONSEILLERE",
    "REFERENT",
    "REFERENTE",
    "COUNSELLOR",
    "COLLABORATOR",
];

/// Accepted headers of each field, normalised (upper case, no accent, no space), most specific
/// first. A column whose header is in none of these lists becomes a free attribute.
pub const CONTACT_HEADERS: &[(ContactField, &[&str])] = &[
    (
        ContactField::Civility,
        &["CIVILITE", "CIV", "CIVILITY", "TITRE", "TITLE"],
    ),
    (
        ContactField::FirstName,
        &["PRENOM", "PRENOMS", "FIRSTNAME", "GIVENNAME"],
    ),
    (
        ContactField::LastName,
        &[
            "NOM",
            "NOMDEFAMILLE",
            "NOMDUSAGE",
            "NOMDENAISSANCE",
            "LASTNAME",
            "SURNAME",
            "NAME",
            "RAISONSOCIALE",
        ],
    ),
    (
        ContactField::Mobile,
        &[
            "MOBILE",
            "PORTABLE",
            "TELEPHONEMOBILE",
            "TELEPHONEPORTABLE",
            "TELMOBILE",
            "TELPORTABLE",
            "MOBILE1",
            "GSM",
            "MOBILEPHONE",
            "TELEPHONE",
            "TELEPHONE1",
            "TEL",
            "PHONE",
            "NUMERO",
            "NUMERODETELEPHONE",
        ],
    ),
    (
        ContactField::Mobile2,
        &["MOBILE2", "PORTABLE2", "TELEPHONE2", "TEL2", "AUTREMOBILE"],
    ),
    (
        ContactField::Landline,
        &[
            "FIXE",
            "TELEPHONEFIXE",
            "TELFIXE",
            "LANDLINE",
            "TELEPHONEDOMICILE",
            "DOMICILE",
        ],
    ),
    (
        ContactField::Email,
        &[
            "EMAIL",
            "MAIL",
            "COURRIEL",
            "ADRESSEMAIL",
            "ADRESSEEMAIL",
            "ADRESSECOURRIEL",
            "EMAILADDRESS",
        ],
    ),
    (
        ContactField::Consent,
        &[
            "CONSENTEMENTSMS",
            "CONSENTEMENT",
            "ACCORDSMS",
            "AUTORISATIONSMS",
            "OPTINSMS",
            "SMSCONSENT",
            "CONSENT",
            "SMS",
        ],
    ),
    (
        ContactField::Programme,
        &["PROGRAMME", "PROGRAM", "DISPOSITIF", "PARCOURS"],
    ),
    (
        ContactField::Kind,
        &["TYPE", "TYPEDECONTACT", "KIND", "CATEGORIE"],
    ),
    (ContactField::Collaborator, COLLABORATOR_HEADERS),
];

/// Which column holds which field, and the other columns (kept as free attributes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMap<F> {
    pub fields: Vec<(F, usize)>,
    pub others: Vec<usize>,
}

impl<F: Copy + PartialEq> ColumnMap<F> {
    /// Maps each header to the first field (in `specs` order) that accepts it and has no column
    /// yet; the most specific names are listed first in each field.
    pub fn new(headers: &[String], specs: &[(F, &[&str])]) -> ColumnMap<F> {
        let normalised: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
        let mut map = ColumnMap {
            fields: Vec::new(),
            others: Vec::new(),
        };
        let mut taken = vec![false; headers.len()];
        for (field, names) in specs {
            let found = names.iter().find_map(|name| {
                normalised
                    .iter()
                    .enumerate()
                    .position(|(i, h)| !taken[i] && h == name)
            });
            if let Some(col) = found {
                taken[col] = true;
                map.fields.push((*field, col));
            }
        }
        for (i, h) in normalised.iter().enumerate() {
            if !taken[i] && !h.is_empty() {
                map.others.push(i);
            }
        }
        map
    }

    pub fn col(&self, field: F) -> Option<usize> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, c)| *c)
    }
}

/// Whether a header row names at least one of the `fields`.
pub fn names_any(
    headers: &[String],
    specs: &[(ContactField, &[&str])],
    fields: &[ContactField],
) -> bool {
    headers.iter().any(|h| {
        let n = normalise_header(h);
        specs
            .iter()
            .filter(|(f, _)| fields.contains(f))
            .any(|(_, names)| names.contains(&n.as_str()))
    })
}

/// A problem with one cell of one row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowIssue {
    pub row: usize,
    /// The column: its header as the file writes it (and its letter in spreadsheets); `None`
    /// when the problem is the row's. In JSON, its English text, empty for `None`.
    #[serde(serialize_with = "column_text")]
    pub column: Option<Column>,
    pub value: String,
    pub reason: IssueReason,
}

/// A row issue's column as `--json` has always written it: a text, empty when none.
fn column_text<S: serde::Serializer>(column: &Option<Column>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&column.as_ref().map(ToString::to_string).unwrap_or_default())
}

/// A file read as a table, and which column holds which field.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet<F> {
    pub table: Table,
    pub columns: ColumnMap<F>,
}

/// A contacts file, read.
pub type ContactSheet = Sheet<ContactField>;

/// The columns of a sheet whose cells must not be merged across rows.
pub(super) enum Read {
    /// The columns of a field.
    Fields,
    /// The columns of a field and the others (kept as free attributes).
    All,
}

impl<F: Copy + PartialEq> Sheet<F> {
    /// Reads a file whose header row is the first (among the first rows) `is_header`
    /// accepts, `wanted` naming what it lacks when none does; maps its columns by `specs`.
    /// Cells merged across rows in a column of `read` are refused.
    pub(super) fn read(
        path: &Path,
        specs: &[(F, &[&str])],
        is_header: &dyn Fn(&[String]) -> bool,
        wanted: super::import::WantedColumns,
        read: Read,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Sheet<F>, ImportError> {
        let file = path.display().to_string();
        let missing = |row: usize, found: super::import::FoundColumns| ImportError::MissingColumn {
            file: file.clone(),
            row,
            wanted,
            found,
        };
        let table = read_table(path, is_header, &missing, progress)?;
        let columns = ColumnMap::new(&table.headers, specs);
        let mut used: Vec<usize> = columns.fields.iter().map(|(_, c)| *c).collect();
        if let Read::All = read {
            used.extend(&columns.others);
        }
        table.check_merged(&used)?;
        Ok(Sheet { table, columns })
    }

    /// The text of a field in a row (empty when the column is absent), or the issue.
    pub fn text(&self, r: &TableRow, field: F) -> Result<String, RowIssue> {
        match self.columns.col(field) {
            None => Ok(String::new()),
            Some(col) => cell_text(&self.table, r, col),
        }
    }

    /// The text of a field, its issue put aside with the row's others (a row is read to its
    /// end so that every problem shows at once); empty when refused.
    pub fn text_noting(&self, r: &TableRow, field: F, issues: &mut Vec<RowIssue>) -> String {
        self.text(r, field).unwrap_or_else(|issue| {
            issues.push(issue);
            String::new()
        })
    }

    /// [`Sheet::text_noting`] taking a text out of the row rather than copying it, for a row
    /// whose field cells are read once (see [`TableRow::take_text`]).
    pub fn take_text_noting(
        &self,
        r: &mut TableRow,
        field: F,
        issues: &mut Vec<RowIssue>,
    ) -> String {
        let Some(col) = self.columns.col(field) else {
            return String::new();
        };
        take_cell_text(&self.table, r, col).unwrap_or_else(|issue| {
            issues.push(issue);
            String::new()
        })
    }

    pub fn has(&self, field: F) -> bool {
        self.columns.col(field).is_some()
    }

    /// The column of a field, as messages name it; `None` when the file has none.
    pub fn column_name(&self, field: F) -> Option<Column> {
        self.columns.col(field).map(|c| self.table.column_named(c))
    }

    /// A problem of one cell of a row: its column as messages name it, its value made safe to
    /// show.
    pub fn issue(&self, r: &TableRow, field: F, value: &str, reason: IssueReason) -> RowIssue {
        RowIssue {
            row: r.row,
            column: self.column_name(field),
            value: crate::text::sanitize(value).to_string(),
            reason,
        }
    }
}

/// Reads a contacts file. Its header row is the first (among the first rows) naming a name
/// column (`NOM` or `PRÉNOM`…). Cells merged across rows in any column read are refused.
pub fn read_contacts(
    path: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<ContactSheet, ImportError> {
    let is_header = |h: &[String]| {
        names_any(
            h,
            CONTACT_HEADERS,
            &[ContactField::LastName, ContactField::FirstName],
        )
    };
    let wanted = super::import::WantedColumns::Name;
    Sheet::read(
        path,
        CONTACT_HEADERS,
        &is_header,
        wanted,
        Read::All,
        progress,
    )
}

/// A cell as clean text: trimmed, inner runs of spaces collapsed; control characters refused
/// (they would reach terminals and SMS texts).
pub fn cell_text(table: &Table, r: &TableRow, col: usize) -> Result<String, RowIssue> {
    checked_text(table, r.row, col, r.get(col).text())
}

/// [`cell_text`], a text already trimmed moved out of the row rather than copied (see
/// [`TableRow::take_text`]).
pub fn take_cell_text(table: &Table, r: &mut TableRow, col: usize) -> Result<String, RowIssue> {
    checked_text(table, r.row, col, r.take_text(col))
}

/// The `text` of the cell of `row` in column `col` made clean, or its issue.
fn checked_text(
    table: &Table,
    row: usize,
    col: usize,
    text: Result<String, super::import::CellIssue>,
) -> Result<String, RowIssue> {
    let issue = |value: String, problem: super::import::CellIssue| RowIssue {
        row,
        column: Some(table.column_named(col)),
        value,
        reason: IssueReason::Cell { problem },
    };
    let text = text.map_err(|problem| issue(String::new(), problem))?;
    if has_control(&text) {
        return Err(issue(
            crate::text::sanitize(&text).to_string(),
            super::import::CellIssue::ControlCharacters,
        ));
    }
    Ok(collapse_spaces(text))
}

/// Whether `text` holds a control character other than a line feed or a tab.
fn has_control(text: &str) -> bool {
    if text.is_ascii() {
        // The same test byte by byte: ASCII's control characters are 0x00–0x1F and 0x7F.
        text.bytes()
            .any(|b| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7F)
    } else {
        text.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    }
}

/// Inner runs of white space as one space (the text is trimmed already); the text itself when
/// it has none, as most cells.
fn collapse_spaces(text: String) -> String {
    let mut previous_space = false;
    let plain = if text.is_ascii() {
        // The same test byte by byte: ASCII's white space is space, \t, \n, \v, \f and \r.
        text.bytes().all(|b| {
            let space = matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
            let ok = !space || (b == b' ' && !previous_space);
            previous_space = space;
            ok
        })
    } else {
        text.chars().all(|c| {
            let ok = if c.is_whitespace() {
                c == ' ' && !previous_space
            } else {
                true
            };
            previous_space = c.is_whitespace();
            ok
        })
    };
    if plain && !text.starts_with(char::is_whitespace) && !text.ends_with(char::is_whitespace) {
        text
    } else {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// `oui`/`non` and their usual spellings. `None` for anything else.
pub fn parse_yes_no(s: &str) -> Option<bool> {
    match normalise_header(s).as_str() {
        "OUI" | "O" | "YES" | "Y" | "1" | "X" | "VRAI" | "TRUE" | "OK" | "ACCORD" | "DACCORD" => {
            Some(true)
        }
        "NON" | "N" | "NO" | "0" | "FAUX" | "FALSE" | "REFUS" | "REFUSE" => Some(false),
        _ => None,
    }
}

/// `participant`, `partner` or `company` from what French files write.
pub fn parse_kind(s: &str) -> Option<ParticipantKind> {
    match normalise_header(s).as_str() {
        "" | "PARTICIPANT" | "PARTICIPANTE" | "BENEFICIAIRE" | "USAGER" | "USAGERE"
        | "STAGIAIRE" | "CANDIDAT" | "CANDIDATE" | "DEMANDEURDEMPLOI" | "PERSONNE" => {
            Some(ParticipantKind::Participant)
        }
        "PARTENAIRE" | "PARTNER" => Some(ParticipantKind::Partner),
        "ENTREPRISE" | "SOCIETE" | "COMPANY" | "EMPLOYEUR" | "CONTACTENTREPRISE" => {
            Some(ParticipantKind::Company)
        }
        _ => None,
    }
}

/// `M.` or `Mme` for the usual spellings; anything else is kept as written.
pub fn normalise_civility(s: &str) -> String {
    match normalise_header(s).as_str() {
        "M" | "MR" | "MONSIEUR" => "M.".into(),
        "MME" | "MADAME" | "MLLE" | "MADEMOISELLE" | "MRS" | "MS" => "Mme".into(),
        _ => s.trim().to_string(),
    }
}

/// A plausible e-mail address: one `@`, something before it, a dotted domain after it, no
/// space.
pub fn plausible_email(s: &str) -> bool {
    let mut parts = s.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn columns_are_found_by_their_usual_french_names() {
        let map = ColumnMap::new(
            &headers(&[
                "Civilité",
                "Prénom",
                "NOM",
                "Téléphone portable",
                "Consentement SMS",
                "Programme",
                "Date de naissance",
            ]),
            CONTACT_HEADERS,
        );
        assert_eq!(map.col(ContactField::Civility), Some(0));
        assert_eq!(map.col(ContactField::FirstName), Some(1));
        assert_eq!(map.col(ContactField::LastName), Some(2));
        assert_eq!(map.col(ContactField::Mobile), Some(3));
        assert_eq!(map.col(ContactField::Consent), Some(4));
        assert_eq!(map.col(ContactField::Programme), Some(5));
        assert_eq!(map.others, vec![6]);
    }

    #[test]
    fn a_mobile_column_wins_over_a_plain_telephone_column() {
        let map = ColumnMap::new(&headers(&["Nom", "Téléphone", "Mobile"]), CONTACT_HEADERS);
        assert_eq!(map.col(ContactField::Mobile), Some(2));
        // The other phone column is not lost: it is kept as a free attribute.
        assert_eq!(map.others, vec![1]);
    }

    #[test]
    fn ascii_texts_are_checked_as_their_characters_are() {
        let alphabet = [
            "a", " ", "\t", "\n", "\u{b}", "\u{c}", "\r", "\u{1f}", "\u{7f}", "\0", "~", "é",
            "\u{85}", "\u{a0}",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |a| format!("{t}{a}")))
                .collect();
            texts.extend(longer);
        }
        for t in texts {
            let control = t.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
            assert_eq!(has_control(&t), control, "{t:?}");
            let joined = t.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_spaces(t.clone()), joined, "{t:?}");
        }
    }

    #[test]
    fn inner_spaces_are_collapsed() {
        assert_eq!(collapse_spaces("Le Floch".into()), "Le Floch");
        assert_eq!(collapse_spaces("Le  Floch".into()), "Le Floch");
        assert_eq!(collapse_spaces("Le\tFloch\n Guen".into()), "Le Floch Guen");
        assert_eq!(collapse_spaces("Le\u{a0}Floch".into()), "Le Floch");
    }

    #[test]
    fn yes_no_kinds_civilities_and_emails() {
        assert_eq!(parse_yes_no("Oui"), Some(true));
        assert_eq!(parse_yes_no(" x "), Some(true));
        assert_eq!(parse_yes_no("NON"), Some(false));
        assert_eq!(parse_yes_no("peut-être"), None);
        assert_eq!(parse_kind("Entreprise"), Some(ParticipantKind::Company));
        assert_eq!(
            parse_kind("Bénéficiaire"),
            Some(ParticipantKind::Participant)
        );
        assert_eq!(parse_kind("fournisseur"), None);
        assert_eq!(normalise_civility("Madame"), "Mme");
        assert_eq!(normalise_civility("m"), "M.");
        assert_eq!(normalise_civility("Dr"), "Dr");
        assert!(plausible_email("lea.legall@example.fr"));
        assert!(!plausible_email("lea.legall@example"));
        assert!(!plausible_email("lea @example.fr"));
        assert!(!plausible_email("a@b@c.fr"));
    }
}
