//! Tests of the parsed effects behind `dyn`: cloned and compared. (Their lengths, through the
//! pipeline's `EffectStream`, are tested in `src/pipeline/tests.rs`.)

use crate::AudioEffector;

#[test]
fn specs_clone_and_compare_through_dyn() {
    let a: AudioEffector = "gain -3 echo 0.8 0.9 100 0.3 fundsp.reverb 10"
        .parse()
        .unwrap();
    let b = a.clone();
    assert_eq!(a, b);
    let c: AudioEffector = "gain -3 echo 0.8 0.9 100 0.4 fundsp.reverb 10"
        .parse()
        .unwrap();
    assert_ne!(a, c);
    // The same arguments, another effect: not equal (vol 0.5 vs gain).
    assert_ne!(
        AudioEffector::new("vol", &[0.5]).unwrap(),
        AudioEffector::new("gain", &[0.5]).unwrap()
    );
    assert_ne!(
        AudioEffector::new("echo", &[0.8, 0.9, 100.0, 0.3]).unwrap(),
        AudioEffector::new("echos", &[0.8, 0.9, 100.0, 0.3]).unwrap()
    );
    // A param changes the clone only.
    let d = b.clone().param("wet", 0.5).unwrap();
    assert_ne!(d, b);
    assert_eq!(a, b);
    // fundsp graphs: equal to their clones only.
    use fundsp::prelude32::*;
    let g = AudioEffector::from_fundsp(lowpass_hz(1000.0, 1.0)).unwrap();
    assert_eq!(g, g.clone());
    assert_ne!(
        g,
        AudioEffector::from_fundsp(lowpass_hz(1000.0, 1.0)).unwrap()
    );
    assert!(format!("{g:?}").contains("inputs: 1"));
}
