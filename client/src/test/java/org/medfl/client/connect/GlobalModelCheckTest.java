package org.medfl.client.connect;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.medfl.common.crypto.Signatures;
import org.medfl.common.crypto.Statements;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.Pem;
import org.medfl.common.testing.TestPki;
import org.medfl.proto.v1.Task;
import org.medfl.proto.v1.VectorHeader;

class GlobalModelCheckTest {
  private final TestPki pki = TestPki.create("demo");

  private Task task(Identity signer, String signedSha, String sentSha) {
    byte[] signature = Signatures.sign(signer.privateKey(), Statements.globalModel("job-1", 3, signedSha));
    return Task.newBuilder().setKind(Task.Kind.TRAIN).setJobId("job-1").setRound(3)
        .setGlobalModel(VectorHeader.newBuilder().setVersion(1).setLength(10).setSha256(sentSha))
        .setGlobalModelSignature(ByteString.copyFrom(signature))
        .setCoordinatorCertificatePem(Pem.certificatesToPem(signer.certificate())).build();
  }

  @Test
  void modelSignedByTheCoordinatorIsAccepted() {
    // when / then
    assertNull(GlobalModelCheck.problem(task(pki.coordinator(), "aa", "aa"), pki.caCertificate()));
  }

  @Test
  void modelWhoseDigestDiffersFromTheSignedOneIsRefused() {
    // when
    String problem = GlobalModelCheck.problem(task(pki.coordinator(), "aa", "bb"), pki.caCertificate());
    // then
    assertTrue(problem.contains("does not verify"), problem);
  }

  @Test
  void modelSignedByASiteIsRefused() {
    // when
    String problem = GlobalModelCheck.problem(task(pki.site("hospital-a"), "aa", "aa"), pki.caCertificate());
    // then
    assertTrue(problem.contains("not the coordinator"), problem);
  }

  @Test
  void modelSignedUnderAnotherCaIsRefused() {
    // given
    TestPki other = TestPki.create("other");
    // when
    String problem = GlobalModelCheck.problem(task(other.coordinator(), "aa", "aa"), pki.caCertificate());
    // then
    assertTrue(problem.contains("did not issue"), problem);
  }

  @Test
  void unsignedModelIsRefused() {
    // when
    String problem = GlobalModelCheck.problem(Task.newBuilder().setJobId("job-1").build(), pki.caCertificate());
    // then
    assertTrue(problem.contains("not signed"), problem);
  }
}
