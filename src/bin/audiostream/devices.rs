//! `audiostream devices`: the audio hosts and their devices, with what each takes.

use audiostream::device;

/// Prints every host and device; with `probe`, each device's channels, rates and sample
/// formats (probing opens the devices).
pub fn run(probe: bool) -> Result<(), String> {
    let hosts = device::host_names();
    println!("hosts: {}", hosts.join(", "));
    let devices = device::list_devices(probe).map_err(|e| e.to_string())?;
    if devices.is_empty() {
        println!("no devices");
    }
    for d in devices {
        let desc = if d.description.is_empty() || d.description == d.name {
            String::new()
        } else {
            format!("  ({})", d.description)
        };
        println!("{} {:?}{desc}", d.host, d.name);
        for (side, info) in [("in ", &d.input), ("out", &d.output)] {
            match info {
                Some(Ok(s)) if s.is_empty() => println!("    {side}: yes"),
                Some(Ok(s)) => println!("    {side}: {s}"),
                Some(Err(e)) => println!("    {side}: cannot be opened: {e}"),
                None => {}
            }
        }
    }
    Ok(())
}
