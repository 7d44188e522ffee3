//! The streaming JSON reader: the first byte picks the shape and a small
//! read-buffer size; the records must not depend on the buffer size.
#![no_main]

use kura_tui_fuzz::harness;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| harness::check_stream(data));
