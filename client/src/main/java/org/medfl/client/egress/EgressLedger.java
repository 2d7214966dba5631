package org.medfl.client.egress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.MessageLite;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.medfl.common.crypto.Digests;
import org.medfl.common.store.AtomicFiles;
import org.medfl.proto.v1.DeclineRequest;
import org.medfl.proto.v1.EvaluationReport;
import org.medfl.proto.v1.FetchModelRequest;
import org.medfl.proto.v1.JoinRequest;
import org.medfl.proto.v1.PollRequest;
import org.medfl.proto.v1.SecAggMessage;
import org.medfl.proto.v1.UpdateMessage;

/**
 * The site's record of everything that left it: an append-only, hash-chained file with one JSON line per outbound
 * message, written and flushed to disk <em>before</em> the message is handed to gRPC. It sits on the channel itself,
 * so nothing leaves through the agent unrecorded; a message that cannot be recorded is not sent. The same chain also
 * holds the coordinator's audit heads the site was shown ({@link LedgerEntry#AUDIT_ANCHOR}), so the coordinator cannot
 * later rewrite or cut its audit history without contradicting the sites' ledgers.
 */
public final class EgressLedger implements ClientInterceptor, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GENESIS = "0".repeat(64);

  private final Path file;
  private final FileChannel channel;
  private long seq;
  private String head;
  private volatile String failure;

  /** Opens (or creates) the ledger in {@code file}, continuing its chain; a torn last line from a crash is cut off. */
  public EgressLedger(Path file) {
    this.file = file;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      lockExclusively();
      recoverHead();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the egress ledger " + file + ": " + e.getMessage(), e);
    }
  }

  /** Two agents appending to one ledger would break its chain; the second one is refused instead. */
  private void lockExclusively() throws IOException {
    if (AtomicFiles.tryLockExclusively(channel) == null) {
      channel.close();
      throw new IllegalStateException("the egress ledger " + file + " is in use by another site agent; "
          + "run one agent per site state directory");
    }
  }

  private void recoverHead() throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    if (end < bytes.length) {
      // A crash mid-write leaves a partial line; it never reached the wire (recording comes first).
      channel.truncate(end);
      channel.force(true);
    }
    String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
    List<String> lines = text.isEmpty() ? List.of() : List.of(text.split("\n"));
    seq = lines.size();
    head = lines.isEmpty() ? GENESIS : Digests.sha256Hex(lines.get(lines.size() - 1).getBytes(StandardCharsets.UTF_8));
    channel.position(end);
  }

  /** The ledger file. */
  public Path file() {
    return file;
  }

  /** Why recording failed (the agent stops then), or null. */
  public String failure() {
    return failure;
  }

  /** Records the coordinator's audit chain head shown with a task for {@code job} and {@code round}. */
  public void anchor(String job, int round, long records, String auditSha256) {
    append(LedgerEntry.AUDIT_ANCHOR, "", job, round, records, auditSha256);
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
      private String job = "";
      private int round;

      @Override
      public void sendMessage(Q message) {
        byte[] payload = ((MessageLite) message).toByteArray();
        String kind = kindOf(message);
        if (message instanceof UpdateMessage update && update.hasHeader()) {
          job = update.getHeader().getJobId();
          round = update.getHeader().getRound();
        } else if (message instanceof FetchModelRequest fetch) {
          job = fetch.getJobId();
          round = fetch.getRound();
        } else if (message instanceof SecAggMessage secagg) {
          job = secagg.getJobId();
          round = secagg.getRound();
        } else if (message instanceof EvaluationReport report) {
          job = report.getJobId();
          round = report.getRound();
        } else if (message instanceof DeclineRequest decline) {
          job = decline.getJobId();
          round = decline.getRound();
        }
        // Recorded first: if this throws, the message is not sent.
        append(kind, method.getFullMethodName(), job, round, payload.length, Digests.sha256Hex(payload));
        super.sendMessage(message);
      }
    };
  }

  private static String kindOf(Object message) {
    if (message instanceof UpdateMessage update) {
      return update.hasHeader() ? "update_header" : "update_chunk";
    }
    if (message instanceof FetchModelRequest) {
      return "fetch_model_request";
    }
    if (message instanceof EvaluationReport) {
      return "evaluation_report";
    }
    if (message instanceof SecAggMessage secagg) {
      return "secagg_" + secagg.getStage().name().toLowerCase();
    }
    if (message instanceof DeclineRequest) {
      return "decline";
    }
    if (message instanceof PollRequest) {
      return "poll";
    }
    if (message instanceof JoinRequest) {
      return "join";
    }
    return message.getClass().getSimpleName();
  }

  private synchronized void append(String kind, String method, String job, int round, long bytes, String sha256) {
    try {
      LedgerEntry entry = new LedgerEntry(seq + 1, Instant.now().toString(), kind, method, job, round, bytes, sha256,
          head);
      String line = JSON.writeValueAsString(entry);
      ByteBuffer buffer = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
      seq++;
      head = Digests.sha256Hex(line.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      failure = "cannot append to the egress ledger " + file + ": " + e.getMessage();
      throw new UncheckedIOException(failure, e);
    }
  }

  /** Reads every entry of a ledger file. */
  public static List<LedgerEntry> read(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(line -> {
      try {
        return JSON.readValue(line, LedgerEntry.class);
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(new IOException(file + ": a line is not a ledger entry: " + e.getMessage()));
      }
    }).toList();
  }

  @Override
  public synchronized void close() throws IOException {
    channel.close();
  }
}
