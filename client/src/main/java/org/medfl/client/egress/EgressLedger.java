package org.medfl.client.egress;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import com.google.protobuf.MessageLite;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Records every call the site agent makes to the coordinator: method, number of messages, bytes and the SHA-256 of
 * everything sent. It sits on the channel itself, so nothing can leave through the agent without being recorded.
 * One JSON object per line in {@code egress.jsonl}.
 */
public final class EgressLedger implements ClientInterceptor {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;
  private volatile String failure;

  /** A ledger appending to {@code file} (created if absent). */
  public EgressLedger(Path file) {
    this.file = file;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + file.getParent() + ": " + e.getMessage(), e);
    }
  }

  /** The ledger file. */
  public Path file() {
    return file;
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
      private final MessageDigest digest = sha256();
      private long messages;
      private long bytes;

      @Override
      public void sendMessage(Q message) {
        byte[] payload = ((MessageLite) message).toByteArray();
        synchronized (digest) {
          digest.update(payload);
          messages++;
          bytes += payload.length;
        }
        super.sendMessage(message);
      }

      @Override
      public void start(Listener<R> listener, Metadata headers) {
        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
          @Override
          public void onClose(Status status, Metadata trailers) {
            String sha;
            long count;
            long total;
            synchronized (digest) {
              sha = HexFormat.of().formatHex(digest.digest());
              count = messages;
              total = bytes;
            }
            record(method.getFullMethodName(), count, total, sha, status.getCode().name());
            super.onClose(status, trailers);
          }
        }, headers);
      }
    };
  }

  private synchronized void record(String method, long messages, long bytes, String sha256, String status) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("time", Instant.now().toString());
    line.put("method", method);
    line.put("messages", messages);
    line.put("bytes", bytes);
    line.put("sha256", sha256);
    line.put("status", status);
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      out.write((JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // Runs on a gRPC callback thread, where throwing helps nobody: the agent checks failure() before each call.
      failure = "cannot append to the egress ledger " + file + ": " + e.getMessage();
    }
  }

  /** Why the ledger stopped recording, or null while it works; the agent refuses to send anything once set. */
  public String failure() {
    return failure;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
