//! TODO
// placeholder until the phone branch lands
#[derive(serde::Serialize)]
pub struct PhoneCheck {
    pub input: String,
    pub e164: Option<String>,
    pub mobile: bool,
    pub region: Option<String>,
    pub error: Option<String>,
}
pub fn check(input: &str, _region: &str) -> PhoneCheck {
    PhoneCheck { input: input.into(), e164: None, mobile: false, region: None, error: Some("not implemented".into()) }
}
