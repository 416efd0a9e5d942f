//! The validity period of a DER X.509 certificate (RFC 5280 4.1.2.5), read
//! with a strict DER parser: the phone's pre-shift check counts the days its
//! gateway certificate has left, and the gateway refuses, in production, a
//! certificate valid for more than two years.

/// A certificate's `notBefore` and `notAfter`, Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// From when it is valid.
    pub not_before: i64,
    /// Until when it is valid.
    pub not_after: i64,
}

impl Validity {
    /// Its length in whole days.
    pub fn days(self) -> i64 {
        (self.not_after - self.not_before) / 86_400
    }
}

/// The validity of a DER certificate; `None` when it cannot be read.
pub fn validity(der: &[u8]) -> Option<Validity> {
    use yasna::tags::{TAG_GENERALIZEDTIME, TAG_UTCTIME};
    let read_time = |reader: yasna::BERReader<'_, '_>| -> yasna::ASN1Result<i64> {
        match reader.lookahead_tag()? {
            TAG_UTCTIME => Ok(reader.read_utctime()?.datetime().unix_timestamp()),
            TAG_GENERALIZEDTIME => Ok(reader.read_generalized_time()?.datetime().unix_timestamp()),
            _ => Err(yasna::ASN1Error::new(yasna::ASN1ErrorKind::Invalid)),
        }
    };
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
    // TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber,
    //   signature, issuer, validity SEQUENCE { notBefore, notAfter }, ... }
    yasna::parse_der(der, |reader| {
        reader.read_sequence(|certificate| {
            let validity = certificate.next().read_sequence(|tbs| {
                tbs.read_optional(|r| r.read_tagged(yasna::Tag::context(0), |r| r.read_der()))?;
                for _ in 0..3 {
                    tbs.next().read_der()?; // serial number, algorithm, issuer
                }
                let validity = tbs.next().read_sequence(|validity| {
                    Ok(Validity {
                        not_before: read_time(validity.next())?,
                        not_after: read_time(validity.next())?,
                    })
                })?;
                // The rest (subject, key, extensions) is not needed.
                while tbs.read_optional(|r| r.read_der())?.is_some() {}
                Ok(validity)
            })?;
            certificate.next().read_der()?;
            certificate.next().read_der()?;
            Ok(validity)
        })
    })
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, KeyPair};

    fn certificate(not_before: time::OffsetDateTime, not_after: time::OffsetDateTime) -> Vec<u8> {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params.not_before = not_before;
        params.not_after = not_after;
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn the_validity_is_read_in_both_der_time_forms() {
        // Before 2050 X.509 writes UTCTime, from 2050 on GeneralizedTime (RFC 5280 4.1.2.5).
        let from = time::macros::datetime!(2031-03-04 05:06:07 UTC);
        let to = time::macros::datetime!(2051-01-02 03:04:05 UTC);
        let read = validity(&certificate(from, to)).unwrap();
        assert_eq!(read.not_before, from.unix_timestamp());
        assert_eq!(read.not_after, to.unix_timestamp());
        assert_eq!(read.days(), (to - from).whole_days());
        assert_eq!(validity(b"not a certificate"), None);
        assert_eq!(validity(&[]), None);
    }
}
