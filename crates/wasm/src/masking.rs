//! Masking exports (SPEC §3, §9).

use steward_core::masking::{self, MaskOptions, MaskType};
use wasm_bindgen::prelude::*;

use crate::error::StewardError;

fn parse_mask(name: &str) -> Result<MaskType, StewardError> {
    name.parse().map_err(|e: masking::UnknownMaskType| StewardError::new("INVALID_MASK", format!("maskType: {e}")))
}

/// Masks one value with one of the five masks; `null` stays `null`.
#[wasm_bindgen]
pub fn mask(value: Option<String>, mask_type: &str) -> Result<Option<String>, StewardError> {
    let mask_type = parse_mask(mask_type)?;
    Ok(masking::mask(value.as_deref(), mask_type, &MaskOptions::default()))
}
