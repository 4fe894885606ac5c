//! Serves the demo shop until Ctrl-C, for trying it in a browser or running the manual cases:
//! `cargo run -p casebook-demo-shop --example serve -- [PORT]` (default 8080, loopback only).

use std::net::Ipv4Addr;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = match std::env::args().nth(1) {
        Some(port) => port.parse::<u16>().map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("port {port:?}: {e}"),
            )
        })?,
        None => 8080,
    };
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
    eprintln!(
        "demo shop on http://{} (Ctrl-C stops it)",
        listener.local_addr()?
    );
    demo_shop::serve(listener).await
}
