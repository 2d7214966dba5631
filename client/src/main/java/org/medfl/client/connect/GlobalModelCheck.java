package org.medfl.client.connect;

import java.security.cert.X509Certificate;
import java.util.List;
import org.medfl.common.crypto.Signatures;
import org.medfl.common.crypto.Statements;
import org.medfl.common.pki.ConsortiumCa;
import org.medfl.common.pki.Peer;
import org.medfl.common.pki.Pem;
import org.medfl.common.pki.PkiException;
import org.medfl.common.pki.Role;
import org.medfl.proto.v1.Task;

/**
 * Decides whether a site may load the global model a task names: the model statement must be signed by a certificate
 * that the consortium CA issued to the coordinator role. TLS already authenticated the connection; this check also
 * binds the model's digest, job and round to the coordinator's key, so the signature can be shown to an auditor later.
 */
public final class GlobalModelCheck {
  private GlobalModelCheck() {}

  /** Null when the task's model may be used, else one sentence saying why not. */
  public static String problem(Task task, X509Certificate consortiumCa) {
    if (task.getGlobalModelSignature().isEmpty() || task.getCoordinatorCertificatePem().isEmpty()) {
      return "the task's global model is not signed";
    }
    X509Certificate signer;
    try {
      List<X509Certificate> certificates = Pem.certificatesFromPem(task.getCoordinatorCertificatePem(),
          "the task's coordinator certificate");
      signer = certificates.get(0);
      if (!ConsortiumCa.issued(consortiumCa, signer)) {
        return "the global model is signed by a certificate the consortium CA did not issue";
      }
      if (Peer.of(signer).role() != Role.COORDINATOR) {
        return "the global model is signed by " + Peer.of(signer).name() + ", who is not the coordinator";
      }
    } catch (PkiException | IndexOutOfBoundsException e) {
      return "the task's coordinator certificate is unreadable: " + e.getMessage();
    }
    byte[] statement = Statements.globalModel(task.getJobId(), task.getRound(), task.getGlobalModel().getSha256());
    if (!Signatures.verify(signer.getPublicKey(), statement, task.getGlobalModelSignature().toByteArray())) {
      return "the global model's signature does not verify";
    }
    return null;
  }
}
