package org.medfl.coordinator.access;

import io.grpc.Context;
import org.medfl.common.pki.Peer;

/** The authenticated caller of the current gRPC call, set by {@link RoleInterceptor}. */
public final class Callers {
  static final Context.Key<Peer> PEER = Context.key("medfl-peer");

  private Callers() {}

  /** The caller of the current call; never null inside a service method behind the interceptor. */
  public static Peer current() {
    Peer peer = PEER.get();
    if (peer == null) {
      throw new IllegalStateException("no authenticated caller: the service is not behind RoleInterceptor");
    }
    return peer;
  }
}
