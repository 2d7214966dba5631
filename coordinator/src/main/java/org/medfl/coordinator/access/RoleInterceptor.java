package org.medfl.coordinator.access;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.medfl.common.pki.Peer;
import org.medfl.common.pki.PkiException;
import org.medfl.common.pki.Role;
import org.medfl.proto.v1.AdminGrpc;
import org.medfl.proto.v1.AuditGrpc;
import org.medfl.proto.v1.FleetGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a call only if the caller's certificate (already verified against the consortium CA by TLS) is still good
 * (not expired, not revoked: {@link CertificateCheck}) and carries a role allowed for that rpc. Rpcs missing from the
 * table are refused: access is denied by default. Refusals are logged, since a job's audit log cannot hold them.
 */
public final class RoleInterceptor implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(RoleInterceptor.class);

  /** The one table of which roles may call which rpc. */
  static final Map<String, Set<Role>> ALLOWED = Map.ofEntries(
      Map.entry(FleetGrpc.getJoinMethod().getFullMethodName(), EnumSet.of(Role.SITE)),
      Map.entry(FleetGrpc.getPollTaskMethod().getFullMethodName(), EnumSet.of(Role.SITE)),
      Map.entry(FleetGrpc.getFetchModelMethod().getFullMethodName(), EnumSet.of(Role.SITE)),
      Map.entry(FleetGrpc.getPushUpdateMethod().getFullMethodName(), EnumSet.of(Role.SITE)),
      Map.entry(FleetGrpc.getReportEvaluationMethod().getFullMethodName(), EnumSet.of(Role.SITE)),
      Map.entry(FleetGrpc.getSecAggMethod().getFullMethodName(), EnumSet.of(Role.SITE)),
      Map.entry(FleetGrpc.getDeclineTaskMethod().getFullMethodName(), EnumSet.of(Role.SITE)),
      Map.entry(AdminGrpc.getSubmitJobMethod().getFullMethodName(), EnumSet.of(Role.ADMIN)),
      Map.entry(AdminGrpc.getAbortJobMethod().getFullMethodName(), EnumSet.of(Role.ADMIN)),
      Map.entry(AdminGrpc.getGetJobMethod().getFullMethodName(), EnumSet.of(Role.ADMIN, Role.AUDITOR)),
      Map.entry(AdminGrpc.getListJobsMethod().getFullMethodName(), EnumSet.of(Role.ADMIN, Role.AUDITOR)),
      Map.entry(AdminGrpc.getDownloadModelMethod().getFullMethodName(), EnumSet.of(Role.ADMIN, Role.AUDITOR)),
      Map.entry(AuditGrpc.getReadAuditLogMethod().getFullMethodName(), EnumSet.of(Role.AUDITOR, Role.ADMIN)));

  private final CertificateCheck certificates;

  /** An interceptor that checks expiry but no revocation list. */
  public RoleInterceptor() {
    this(CertificateCheck.expiryOnly());
  }

  /** @param certificates decides, per call, whether the caller's certificate is still good */
  public RoleInterceptor(CertificateCheck certificates) {
    this.certificates = certificates;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    Optional<Peer> peer;
    try {
      peer = session == null ? Optional.empty() : Peer.fromSslSession(session);
    } catch (PkiException e) {
      return refuse(call, method, Status.PERMISSION_DENIED.withDescription(
          "certificate names no valid role: " + e.getMessage()));
    }
    if (peer.isEmpty()) {
      return refuse(call, method, Status.UNAUTHENTICATED.withDescription(
          "a client certificate from the consortium CA is required"));
    }
    X509Certificate certificate = leafCertificate(session);
    Optional<String> bad = certificates.refusal(certificate);
    if (bad.isPresent()) {
      return refuse(call, method, Status.UNAUTHENTICATED.withDescription(bad.get()));
    }
    Set<Role> allowed = ALLOWED.get(method);
    if (allowed == null || !allowed.contains(peer.get().role())) {
      return refuse(call, method, Status.PERMISSION_DENIED.withDescription(peer.get().name() + " is a "
          + peer.get().role().certValue() + "; " + method + " needs one of "
          + (allowed == null ? "[]" : allowed.stream().map(Role::certValue).toList())));
    }
    Context context = Context.current().withValue(Callers.PEER, peer.get())
        .withValue(Callers.CERTIFICATE, certificate);
    return Contexts.interceptCall(context, call, headers, next);
  }

  private static X509Certificate leafCertificate(SSLSession session) {
    try {
      return (X509Certificate) session.getPeerCertificates()[0];
    } catch (SSLPeerUnverifiedException e) {
      throw new IllegalStateException("peer was authenticated a moment ago", e);
    }
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String method, Status status) {
    LOG.warn("refused {} from {}: {} {}", method, call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
        status.getCode(), status.getDescription());
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
