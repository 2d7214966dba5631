package org.medfl.coordinator.access;

import io.grpc.Context;
import java.security.cert.X509Certificate;
import org.medfl.common.pki.Peer;

/** The authenticated caller of the current gRPC call, set by {@link RoleInterceptor}. */
public final class Callers {
  static final Context.Key<Peer> PEER = Context.key("medfl-peer");
  static final Context.Key<X509Certificate> CERTIFICATE = Context.key("medfl-peer-certificate");

  private Callers() {}

  /** The caller of the current call; never null inside a service method behind the interceptor. */
  public static Peer current() {
    Peer peer = PEER.get();
    if (peer == null) {
      throw new IllegalStateException("no authenticated caller: the service is not behind RoleInterceptor");
    }
    return peer;
  }

  /** The caller's certificate, already verified against the consortium CA by TLS. */
  public static X509Certificate certificate() {
    X509Certificate certificate = CERTIFICATE.get();
    if (certificate == null) {
      throw new IllegalStateException("no caller certificate: the service is not behind RoleInterceptor");
    }
    return certificate;
  }
}
