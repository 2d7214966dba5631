package org.medfl.bench;

import com.google.protobuf.ByteString;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.medfl.client.connect.CoordinatorClient;
import org.medfl.client.connect.GlobalModelCheck;
import org.medfl.client.egress.EgressLedger;
import org.medfl.client.egress.LedgerEntry;
import org.medfl.client.secagg.SecureAggregationSteps;
import org.medfl.common.codec.ParameterCodec;
import org.medfl.common.crypto.Signatures;
import org.medfl.common.crypto.Statements;
import org.medfl.common.pki.ConsortiumCa;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.Role;
import org.medfl.common.pki.TlsCredentials;
import org.medfl.common.transport.Channels;
import org.medfl.coordinator.CoordinatorServer;
import org.medfl.coordinator.job.RoundRecord;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.proto.v1.PushReply;
import org.medfl.proto.v1.Task;
import org.medfl.proto.v1.UpdateHeader;
import org.medfl.proto.v1.VectorHeader;

/**
 * Secure aggregation's cost against plain FedAvg, with no training in the loop: a real coordinator on 127.0.0.1 with
 * mutual TLS and a synthetic round-0 model of L floats, and N scripted sites (one thread and one mutual-TLS channel
 * each, recorded by an {@link EgressLedger} as a real site's is) that answer tasks the way {@code SiteAgent} does,
 * except that the update is a fixed small random delta instead of the result of local training. Plain and secure
 * jobs run back to back on the same coordinator and sites, alternating, and the medians are compared.
 *
 * <p>Arguments: {@code SITES PARAMETERS [ROUNDS [REPEATS [WARMUP]]]}; SITES and PARAMETERS may be comma lists
 * (every combination runs, each with its own coordinator). Defaults: 10, 1660292 (cnn-fedavg 28x28), 3 rounds per
 * job, 3 plain/secure pairs, 1 warm-up pair of one-round jobs (left out of the medians).
 */
public final class SecAggBench {
  /** Local training of cnn-fedavg on 600 images at ~900 images/s (BENCHMARKS.md), for the "realistic" ratio. */
  static final double TRAIN_SECONDS = 0.7;
  private static final long EXAMPLES = 600;
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
  private static final long ORIGIN = System.nanoTime();

  private SecAggBench() {}

  /** Runs every combination and prints per-job lines, then one summary row per combination. */
  public static void main(String[] args) throws Exception {
    List<Integer> siteCounts = ints(args.length > 0 ? args[0] : "10");
    List<Integer> lengths = ints(args.length > 1 ? args[1] : "1660292");
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    System.out.printf("secure aggregation against plain FedAvg, no training; %d cores, max heap %.1f GiB%n",
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / (double) (1L << 30));
    List<String> rows = new ArrayList<>();
    for (int sites : siteCounts) {
      for (int length : lengths) {
        rows.add(runCombination(sites, length, rounds, repeats, warmup));
      }
    }
    System.out.println();
    System.out.println("| sites | parameters | coordinator round s, plain / secure | added | added with 0.7 s "
        + "training | added s: key stages / update stage / rest | site busy s, plain / secure "
        + "| site protocol steps s (cpu s) | bytes/site/round, plain / secure | bytes ratio |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    rows.forEach(System.out::println);
  }

  private static String runCombination(int n, int length, int rounds, int repeats, int warmup) throws Exception {
    int threshold = (n + 1) / 2 + 1;
    System.out.printf("%n== %d sites, %,d parameters, threshold %d: %d rounds x %d pairs, %d warm-up pair(s)%n", n,
        length, threshold, rounds, repeats, warmup);
    try (Federation federation = new Federation(n, length)) {
      for (int i = 0; i < warmup; i++) {
        federation.runJob(1, 0, "warm-up");
        federation.runJob(1, threshold, "warm-up");
      }
      System.out.printf("%-8s %-7s %-28s %8s %8s %8s %8s %8s %8s %8s %8s %14s%n", "pair", "mode",
          "coordinator round s", "keys s", "update s", "rest s", "busy s", "fetch s", "protocol", "cpu s", "push s",
          "bytes/rnd");
      List<JobResult> plain = new ArrayList<>();
      List<JobResult> secure = new ArrayList<>();
      for (int i = 0; i < repeats; i++) {
        // Alternate which goes first, so that drift on a shared machine hits both alike.
        boolean plainFirst = i % 2 == 0;
        for (int k = 0; k < 2; k++) {
          boolean isSecure = (k == 0) != plainFirst;
          JobResult r = federation.runJob(rounds, isSecure ? threshold : 0, String.valueOf(i + 1));
          (isSecure ? secure : plain).add(r);
        }
      }
      Summary p = Summary.of(plain);
      Summary s = Summary.of(secure);
      double added = s.coordinator - p.coordinator;
      double addedPct = 100 * added / p.coordinator;
      double realisticPct = 100 * added / (p.coordinator + TRAIN_SECONDS);
      double bytesRatio = s.bytes / p.bytes;
      System.out.printf("median over %d rounds each: coordinator round %.3f s plain, %.3f s secure: +%.3f s "
              + "(+%.1f%% of a protocol-only round, +%.1f%% of a round with %.1f s training); phases plain/secure: "
              + "keys 0 / %.3f s, update %.3f / %.3f s, rest %.3f / %.3f s; site busy %.3f / %.3f s, "
              + "protocol steps %.3f s (cpu %.3f s); bytes per site per round %,.0f / %,.0f (%.4fx)%n",
          p.rounds, p.coordinator, s.coordinator, added, addedPct, realisticPct, TRAIN_SECONDS, s.keys, p.update,
          s.update, p.rest, s.rest, p.busy, s.busy, s.protocol, s.protocolCpu, p.bytes, s.bytes, bytesRatio);
      return String.format("| %d | %,d | %.3f / %.3f | +%.3f s (+%.1f%%) | +%.1f%% | %.3f / %.3f / %.3f "
              + "| %.3f / %.3f | %.3f (%.3f) | %,.0f / %,.0f | %.4fx |", n, length, p.coordinator, s.coordinator,
          added, addedPct, realisticPct, s.keys, s.update - p.update, s.rest - p.rest, p.busy, s.busy, s.protocol,
          s.protocolCpu, p.bytes, s.bytes, bytesRatio);
    }
  }

  /** A coordinator and N scripted sites, kept for all the jobs of one combination. */
  private static final class Federation implements AutoCloseable {
    private final Path dir;
    private final CoordinatorServer server;
    private final List<ScriptedSite> sites = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final int n;

    Federation(int n, int length) throws IOException {
      this.n = n;
      this.dir = Files.createTempDirectory("medfl-secaggbench-");
      ConsortiumCa ca = ConsortiumCa.create("secaggbench");
      Identity coordinator = ca.issue("coordinator", Role.COORDINATOR, List.of("localhost", "127.0.0.1"));
      float[] initial = new float[length];
      SplittableRandom random = new SplittableRandom(1);
      for (int i = 0; i < length; i++) {
        initial[i] = (float) (random.nextGaussian() * 0.05);
      }
      // The same settings as CoordinatorServer.withTls: sites ping every 30 s while idle.
      NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
              TlsCredentials.server(coordinator, ca.certificate()))
          .permitKeepAliveTime(10, TimeUnit.SECONDS)
          .permitKeepAliveWithoutCalls(true);
      RoundDriver.InitialModel model = spec -> initial.clone();
      this.server = new CoordinatorServer(builder, "secaggbench", dir.resolve("state"), coordinator, model).start();
      // One delta shared by every site (read only): a fixed small update, about the size of a round's real one.
      float[] delta = new float[length];
      for (int i = 0; i < length; i++) {
        delta[i] = (float) (random.nextGaussian() * 1e-3);
      }
      for (int i = 1; i <= n; i++) {
        Identity identity = ca.issue(String.format("site-%02d", i), Role.SITE, List.of());
        ScriptedSite site = new ScriptedSite(identity, ca.certificate(), server.port(),
            new EgressLedger(dir.resolve("ledgers").resolve(identity.name() + ".jsonl")), delta);
        sites.add(site);
        Thread thread = new Thread(site, identity.name());
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
    }

    JobResult runJob(int rounds, int threshold, String label) throws Exception {
      String yaml = String.join("\n",
          "name: secaggbench-" + (threshold > 0 ? "secure" : "plain"),
          "model:",
          "  name: cnn-fedavg",
          "  input: {width: 28, height: 28, channels: 1}",
          "classes: [normal, nodule]",
          "rounds: " + rounds,
          "min_sites: " + n,
          "fraction: 1.0",
          "local_epochs: 1",
          "batch_size: 32",
          "optimizer: {name: adam, learning_rate: 0.001}",
          "round_deadline_seconds: 3600",
          "seed: 42",
          "strategy: fedavg",
          "evaluation: {every_rounds: 0}",
          threshold > 0 ? "secure_aggregation: {threshold: " + threshold + "}" : "",
          "");
      String jobId = server.jobs().submit(yaml, "bench");
      RoundDriver driver = server.jobs().find(jobId).orElseThrow();
      if (!driver.awaitFinal(TimeUnit.HOURS.toMillis(2))) {
        throw new IllegalStateException("job " + jobId + " did not finish in 2 hours");
      }
      RoundDriver.JobSnapshot snapshot = driver.snapshot();
      if (!snapshot.record().state().name().equals("FINISHED") || snapshot.rounds().size() != rounds) {
        throw new IllegalStateException("job " + jobId + " ended " + snapshot.record().state() + ": "
            + snapshot.record().message() + "; site failures: " + failures());
      }
      for (RoundRecord record : snapshot.rounds()) {
        if (record.sites().size() != n) {
          throw new IllegalStateException("job " + jobId + " round " + record.round() + " aggregated "
              + record.sites().size() + " of " + n + " sites; site failures: " + failures());
        }
      }
      List<Double> coordinator = snapshot.rounds().stream().map(RoundRecord::seconds).toList();
      // Per round: medians over the sites of what each spent on the round.
      List<double[]> perRound = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        List<double[]> bySite = new ArrayList<>();
        for (ScriptedSite site : sites) {
          bySite.add(site.timing(jobId, round));
        }
        double[] medians = new double[Timing.FIELDS + Phase.FIELDS];
        for (int f = 0; f < Timing.BUSY + 1; f++) {
          int field = f;
          medians[f] = median(bySite.stream().map(t -> t[field]).toList());
        }
        // Phases of the round as the sites saw them: from the first site's key task to the first site's update
        // task, from there to the last accepted update; the rest of the coordinator's round is everything else.
        double firstUpdate = bySite.stream().mapToDouble(t -> t[Timing.UPDATE_AT]).min().orElseThrow();
        double lastDone = bySite.stream().mapToDouble(t -> t[Timing.DONE_AT]).max().orElseThrow();
        double keys = threshold > 0
            ? firstUpdate - bySite.stream().mapToDouble(t -> t[Timing.KEYS_AT]).min().orElseThrow() : 0;
        medians[Phase.KEYS] = keys;
        medians[Phase.UPDATE] = lastDone - firstUpdate;
        medians[Phase.REST] = coordinatorSeconds(snapshot, round) - keys - (lastDone - firstUpdate);
        perRound.add(medians);
      }
      List<Double> bytes = new ArrayList<>();
      for (ScriptedSite site : sites) {
        bytes.add(site.bytesSent(jobId) / rounds);
      }
      JobResult result = new JobResult(coordinator, perRound, median(bytes));
      System.out.printf("%-8s %-7s %-28s %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f %,14.0f%n", label,
          threshold > 0 ? "secure" : "plain", coordinator.stream().map(s -> String.format("%.3f", s)).toList(),
          median(result.field(Phase.KEYS)), median(result.field(Phase.UPDATE)), median(result.field(Phase.REST)),
          median(result.field(Timing.BUSY)), median(result.field(Timing.FETCH)),
          median(result.field(Timing.PROTOCOL)), median(result.field(Timing.PROTOCOL_CPU)),
          median(result.field(Timing.PUSH)), result.bytesPerRound);
      return result;
    }

    private static double coordinatorSeconds(RoundDriver.JobSnapshot snapshot, int round) {
      return snapshot.rounds().get(round - 1).seconds();
    }

    private List<String> failures() {
      List<String> all = new ArrayList<>();
      sites.forEach(site -> all.addAll(site.failures));
      return all;
    }

    @Override
    public void close() throws Exception {
      sites.forEach(ScriptedSite::stop);
      for (Thread thread : threads) {
        thread.interrupt();
      }
      for (ScriptedSite site : sites) {
        site.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        site.ledger.close();
      }
      server.stop();
    }
  }

  /** Indices into a site's per-round timing array; all seconds. */
  private static final class Timing {
    static final int FETCH = 0;
    /** Key advertisement, key sharing (share encryption), masking, unmasking shares: wall seconds. */
    static final int PROTOCOL = 1;
    /** The same steps' CPU seconds on the site's own thread (the mask and the key agreement run there). */
    static final int PROTOCOL_CPU = 2;
    /** Update header digest, signature, and streaming the update until the coordinator's verdict. */
    static final int PUSH = 3;
    /** Everything the site spent on the round's tasks: fetch + protocol + push. */
    static final int BUSY = 4;
    /** When the site got the round's ADVERTISE_KEYS task (secure) and its update task (TRAIN or MASKED_INPUT). */
    static final int KEYS_AT = 5;
    static final int UPDATE_AT = 6;
    /** When the coordinator accepted its update. */
    static final int DONE_AT = 7;
    static final int FIELDS = 8;
  }

  /** Indices, after the Timing fields, of the round's phases: key stages, update stage, the rest; seconds. */
  private static final class Phase {
    static final int KEYS = Timing.FIELDS;
    static final int UPDATE = Timing.FIELDS + 1;
    static final int REST = Timing.FIELDS + 2;
    static final int FIELDS = 3;
  }

  /** A site that answers tasks the way SiteAgent does, with a fixed delta instead of local training. */
  private static final class ScriptedSite implements Runnable {
    private final Identity identity;
    private final X509Certificate ca;
    private final ManagedChannel channel;
    private final EgressLedger ledger;
    private final CoordinatorClient client;
    private final SecureAggregationSteps steps;
    private final float[] delta;
    private final Map<String, double[]> timings = new ConcurrentHashMap<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    ScriptedSite(Identity identity, X509Certificate ca, int port, EgressLedger ledger, float[] delta) {
      this.identity = identity;
      this.ca = ca;
      this.channel = Channels.mutualTls("127.0.0.1", port, identity, ca);
      this.ledger = ledger;
      this.client = new CoordinatorClient(ClientInterceptors.intercept(channel, ledger));
      this.steps = new SecureAggregationSteps(identity, ca, client);
      this.delta = delta;
    }

    @Override
    public void run() {
      client.join("medfl-secaggbench", "scripted site, no training");
      while (running) {
        try {
          Task task = client.poll(2000);
          if (task.getKind() != Task.Kind.IDLE) {
            handle(task);
          }
        } catch (RuntimeException e) {
          if (running) {
            failures.add(identity.name() + ": " + e);
          }
        } catch (Exception e) {
          if (running) {
            failures.add(identity.name() + ": " + e);
          }
          return;
        }
      }
    }

    /** SiteAgent.train, minus the trainer, the privacy policy and DP (off in these jobs). */
    private void handle(Task task) throws Exception {
      String jobId = task.getJobId();
      int round = task.getRound();
      double received = (System.nanoTime() - ORIGIN) / 1e9;
      double[] t = timings.computeIfAbsent(jobId + "#" + round, k -> new double[Timing.FIELDS]);
      if (task.getKind() == Task.Kind.SECURE_AGGREGATION
          && task.getSecureAggregation().getStage() == org.medfl.proto.v1.SecAggStage.ADVERTISE_KEYS) {
        t[Timing.KEYS_AT] = received;
      } else if (!SecureAggregationSteps.isMessageStage(task)) {
        t[Timing.UPDATE_AT] = received;
      }
      ledger.anchor(jobId, round, task.getAuditHead().getRecords(), task.getAuditHead().getSha256());
      if (SecureAggregationSteps.isMessageStage(task)) {
        long wall = System.nanoTime();
        long cpu = CPU.getCurrentThreadCpuTime();
        steps.answer(task);
        add(t, Timing.PROTOCOL, wall, Timing.PROTOCOL_CPU, cpu);
        return;
      }
      String untrusted = GlobalModelCheck.problem(task, ca);
      if (untrusted != null) {
        failures.add(identity.name() + " round " + round + ": " + untrusted);
        return;
      }
      long wall = System.nanoTime();
      float[] global = client.fetchModel(jobId, round, task.getGlobalModel());
      t[Timing.FETCH] += (System.nanoTime() - wall) / 1e9;
      t[Timing.BUSY] += (System.nanoTime() - wall) / 1e9;
      if (global.length != delta.length) {
        failures.add(identity.name() + ": model of " + global.length + " values, delta of " + delta.length);
        return;
      }
      boolean masked = task.getKind() == Task.Kind.SECURE_AGGREGATION;
      float[] payload = delta;
      if (masked) {
        wall = System.nanoTime();
        long cpu = CPU.getCurrentThreadCpuTime();
        payload = steps.mask(task, delta, EXAMPLES);
        add(t, Timing.PROTOCOL, wall, Timing.PROTOCOL_CPU, cpu);
      }
      wall = System.nanoTime();
      VectorHeader update = ParameterCodec.header(payload);
      byte[] signature = Signatures.sign(identity.privateKey(), Statements.update(jobId, round, identity.name(),
          EXAMPLES, task.getGlobalModel().getSha256(), update.getSha256()));
      PushReply reply = client.pushUpdate(UpdateHeader.newBuilder()
          .setJobId(jobId)
          .setRound(round)
          .setNumExamples(EXAMPLES)
          .setTrainLoss(0.5)
          .setValAccuracy(0.5)
          .setNumValExamples(150)
          .setTrainSeconds(0)
          .setBaseSha256(task.getGlobalModel().getSha256())
          .setUpdate(update)
          .setSignature(ByteString.copyFrom(signature))
          .setMasked(masked)
          .build(), payload);
      t[Timing.PUSH] += (System.nanoTime() - wall) / 1e9;
      t[Timing.BUSY] += (System.nanoTime() - wall) / 1e9;
      t[Timing.DONE_AT] = (System.nanoTime() - ORIGIN) / 1e9;
      if (!reply.getAccepted()) {
        failures.add(identity.name() + " round " + round + ": update refused: " + reply.getReason());
      }
    }

    private static void add(double[] t, int wallField, long wallStart, int cpuField, long cpuStart) {
      double seconds = (System.nanoTime() - wallStart) / 1e9;
      t[wallField] += seconds;
      t[Timing.BUSY] += seconds;
      t[cpuField] += (CPU.getCurrentThreadCpuTime() - cpuStart) / 1e9;
    }

    double[] timing(String jobId, int round) {
      double[] t = timings.get(jobId + "#" + round);
      if (t == null) {
        throw new IllegalStateException(identity.name() + " took no part in job " + jobId + " round " + round);
      }
      return t;
    }

    /**
     * Bytes this site sent for the job, as its egress ledger counts them (serialized message sizes): every message
     * from its first to its last one for the job, polls in between included.
     */
    double bytesSent(String jobId) throws IOException {
      List<LedgerEntry> entries = EgressLedger.read(ledger.file());
      int first = -1;
      int last = -1;
      for (int i = 0; i < entries.size(); i++) {
        LedgerEntry e = entries.get(i);
        if (jobId.equals(e.job()) && !LedgerEntry.AUDIT_ANCHOR.equals(e.kind())) {
          first = first < 0 ? i : first;
          last = i;
        }
      }
      long sum = 0;
      for (int i = first; i >= 0 && i <= last; i++) {
        if (!LedgerEntry.AUDIT_ANCHOR.equals(entries.get(i).kind())) {
          sum += entries.get(i).bytes();
        }
      }
      return sum;
    }

    void stop() {
      running = false;
    }
  }

  /** One job's per-round coordinator seconds, per-round site medians and bytes per site per round. */
  private record JobResult(List<Double> coordinator, List<double[]> perRound, double bytesPerRound) {
    List<Double> field(int f) {
      return perRound.stream().map(t -> t[f]).toList();
    }
  }

  /** Medians over every round of every job of one mode. */
  private record Summary(int rounds, double coordinator, double busy, double protocol, double protocolCpu,
      double push, double bytes, double keys, double update, double rest) {
    static Summary of(List<JobResult> jobs) {
      List<Double> coordinator = new ArrayList<>();
      List<Double> bytes = new ArrayList<>();
      List<double[]> perRound = new ArrayList<>();
      for (JobResult job : jobs) {
        coordinator.addAll(job.coordinator());
        perRound.addAll(job.perRound());
        bytes.add(job.bytesPerRound());
      }
      return new Summary(coordinator.size(), median(coordinator),
          median(perRound.stream().map(t -> t[Timing.BUSY]).toList()),
          median(perRound.stream().map(t -> t[Timing.PROTOCOL]).toList()),
          median(perRound.stream().map(t -> t[Timing.PROTOCOL_CPU]).toList()),
          median(perRound.stream().map(t -> t[Timing.PUSH]).toList()), median(bytes),
          median(perRound.stream().map(t -> t[Phase.KEYS]).toList()),
          median(perRound.stream().map(t -> t[Phase.UPDATE]).toList()),
          median(perRound.stream().map(t -> t[Phase.REST]).toList()));
    }
  }

  private static List<Integer> ints(String list) {
    List<Integer> values = new ArrayList<>();
    for (String part : list.split(",")) {
      values.add(Integer.parseInt(part.trim().replace("_", "")));
    }
    return values;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
