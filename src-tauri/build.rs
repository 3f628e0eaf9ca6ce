fn main() {
    // tauri.conf.json lives at the repository root (this package's manifest dir); the
    // capabilities sit next to the shell's sources.
    let attributes = tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    if let Err(error) = tauri_build::try_build(attributes) {
        eprintln!("tauri-build failed: {error:#}");
        std::process::exit(1);
    }
}
