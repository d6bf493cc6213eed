//! stub
use crate::{EncodeError, EncoderRequest, Sink};
pub struct FlacEncoder;
impl FlacEncoder { pub fn new(_r: &EncoderRequest<'_>, _s: Sink) -> Result<Self, EncodeError> { todo!() } }
