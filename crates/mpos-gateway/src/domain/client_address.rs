//! Which address a request comes from, for rate limits: the connection's
//! peer, unless the peer is a trusted load balancer, in which case the
//! client it names in `X-Forwarded-For`. Each proxy appends the address it
//! received from, so the header is read from the right, skipping trusted
//! proxies; what a client wrote into the header itself (the left part) is
//! never believed.

use std::net::IpAddr;

/// The client's address given the peer, its `X-Forwarded-For` values (in
/// order, possibly several headers) and the trusted proxies.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(address) => {
                client = address;
                if !trusted.contains(&address) {
                    break;
                }
            }
            // A hop that is not an address: stop at the last one believed.
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_trusted_balancer_names_the_client() {
        let trusted = [ip("10.0.0.2")];
        assert_eq!(
            client_address(ip("10.0.0.2"), &["198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
        // The client's own claim (the left part) is not believed.
        assert_eq!(
            client_address(ip("10.0.0.2"), &["203.0.113.9, 198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn anyone_else_is_their_own_address_whatever_they_claim() {
        let trusted = [ip("10.0.0.2")];
        assert_eq!(
            client_address(ip("198.51.100.7"), &["203.0.113.9"], &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &[], &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &["not-an-address"], &trusted),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn chained_trusted_proxies_are_skipped() {
        let trusted = [ip("10.0.0.2"), ip("10.0.0.3")];
        assert_eq!(
            client_address(ip("10.0.0.2"), &["198.51.100.7", "10.0.0.3"], &trusted),
            ip("198.51.100.7")
        );
    }
}
