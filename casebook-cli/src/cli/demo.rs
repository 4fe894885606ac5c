//! `casebook demo`: serves the demo shop for people who want to click through it.

use std::net::Ipv4Addr;

use casebook::exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The port to serve on, on 127.0.0.1.
    #[arg(long, short, default_value_t = 8080)]
    port: u16,
}

pub fn exec(args: &Args) -> anyhow::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, args.port)).await?;
        let address = listener.local_addr()?;
        eprintln!("the demo shop is open at http://{address}/ (Ctrl-C to stop)");
        eprintln!("  run its API cases: casebook run --base-url http://{address}");
        demo_shop::serve(listener).await?;
        anyhow::Ok(exit::OK)
    })
}
