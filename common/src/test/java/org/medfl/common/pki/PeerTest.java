package org.medfl.common.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.medfl.common.testing.TestPki;

class PeerTest {
  private final TestPki pki = TestPki.create("demo");

  @Test
  void ofReadsNameFromCnAndRoleFromOu() {
    // given
    var auditor = pki.auditor("audit-1").certificate();

    // when
    Peer peer = Peer.of(auditor);

    // then
    assertEquals(new Peer("audit-1", Role.AUDITOR), peer);
  }

  @Test
  void ofRejectsCertificateWithoutRole() {
    // given: the CA certificate has a CN and an O but no OU
    var ca = pki.caCertificate();

    // when
    PkiException e = assertThrows(PkiException.class, () -> Peer.of(ca));

    // then
    assertTrue(e.getMessage().endsWith("has no OU (role)"), e.getMessage());
  }

  @Test
  void fromSslSessionIsEmptyWithoutSession() {
    // given / when / then
    assertTrue(Peer.fromSslSession(null).isEmpty());
  }

  @Test
  void roleRoundTripsThroughCertValueAndRejectsUnknown() {
    // given / when
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Role.fromCertValue("root"));

    // then
    for (Role role : Role.values()) {
      assertEquals(role, Role.fromCertValue(role.certValue()));
    }
    assertTrue(e.getMessage().startsWith("'root' is not a MedFL role"), e.getMessage());
  }
}
