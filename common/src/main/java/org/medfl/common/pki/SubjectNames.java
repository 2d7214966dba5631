package org.medfl.common.pki;

import java.security.cert.X509Certificate;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;

/** Reads single attributes (CN, OU, O) from certificate subjects. */
public final class SubjectNames {
  private SubjectNames() {}

  /** The consortium named by the subject's O, e.g. "demo". */
  public static Optional<String> organization(X509Certificate certificate) {
    return first(certificate, BCStyle.O);
  }

  /** The first value of {@code attribute} (e.g. {@code BCStyle.CN}) in the subject, unescaped. */
  public static Optional<String> first(X509Certificate certificate, ASN1ObjectIdentifier attribute) {
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    RDN[] rdns = subject.getRDNs(attribute);
    if (rdns.length == 0 || rdns[0].getFirst() == null) {
      return Optional.empty();
    }
    ASN1Encodable value = rdns[0].getFirst().getValue();
    // The raw string, not IETFUtils' RFC 4514 form, which escapes characters such as ',' and '+'.
    return Optional.of(value instanceof ASN1String text ? text.getString() : value.toString());
  }
}
