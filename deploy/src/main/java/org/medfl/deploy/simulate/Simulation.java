package org.medfl.deploy.simulate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.medfl.client.SiteAgent;
import org.medfl.client.connect.Backoff;
import org.medfl.client.egress.AnchorCheck;
import org.medfl.client.egress.EgressLedger;
import org.medfl.client.egress.LedgerEntry;
import org.medfl.common.audit.AuditVerifier;
import org.medfl.common.audit.Verification;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.ModelSpec;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.model.NativeAcceleration;
import org.medfl.common.transport.Channels;
import org.medfl.coordinator.CoordinatorServer;
import org.medfl.coordinator.job.JobStore;
import org.medfl.deploy.admin.AdminClient;
import org.medfl.deploy.admin.ModelExport;
import org.medfl.deploy.provision.Provisioner;
import org.medfl.deploy.cli.MetricsTable;
import org.medfl.proto.v1.JobStatus;
import org.medfl.proto.v1.Metrics;
import org.medfl.proto.v1.SiteMetrics;
import org.medfl.proto.v1.RoundSummary;

/**
 * A whole federation in one process: synthetic data per site, a throwaway consortium, the coordinator and one agent
 * per site as real gRPC peers over loopback with mutual TLS, one job, progress per round, then the model, the audit
 * log and a summary. Only the process is shared: every byte between coordinator and sites crosses a TLS socket.
 */
public final class Simulation {
  private static final String HOST = "127.0.0.1";
  private static final long POLL_STATUS_MILLIS = 250;

  private final Options options;
  private final PrintWriter out;
  private List<String> classNames = List.of();

  /**
   * @param sites number of simulated hospitals (at least 1)
   * @param rounds federated rounds
   * @param dataset "phantoms", "demo", "fashion-mnist" or a folder of labelled images (see {@link SimulationData})
   * @param partition how a real data set is split across sites: iid, dirichlet:ALPHA, shards:K, file:PATH
   * @param imagesPerSite cap on each site's images, or null for the dataset's default
   * @param model a model zoo name
   */
  public record Options(int sites, int rounds, Path outDir, String dataset, String partition, Integer imagesPerSite,
      int localEpochs, long seed, String model, String strategy, double proximalMu, String extraSpec,
      Recipe recipe) {

    /** The PNG shape demo (small and fast) with the defaults of everything but {@code sites} and {@code rounds}. */
    public static Options demo(int sites, int rounds, Path outDir, Integer imagesPerSite, long seed) {
      return new Options(sites, rounds, outDir, "demo", "iid", imagesPerSite, 1, seed, "cnn-fedavg", "fedavg", 0, "",
          Recipe.defaults());
    }

    /** The same options with more JOB.yaml lines (e.g. secure_aggregation, dp). */
    public Options withSpec(String lines) {
      return new Options(sites, rounds, outDir, dataset, partition, imagesPerSite, localEpochs, seed, model, strategy,
          proximalMu, extraSpec + lines, recipe);
    }

    /** The synthetic DICOM phantoms (fl simulate's default) with the defaults of everything else. */
    public static Options phantoms(int sites, int rounds, Path outDir, Integer imagesPerSite, long seed) {
      return new Options(sites, rounds, outDir, "phantoms", "iid", imagesPerSite, 1, seed, "cnn-fedavg", "fedavg",
          0, "", Recipe.defaults());
    }
  }

  /**
   * How each site trains locally: the same for the federation and for the central baseline.
   *
   * @param l2 weight decay of the weights (NIID-Bench uses 1e-5)
   * @param validationFraction share of each site's data held out for evaluation
   * @param weightInit the model's initialisation, "he" or "pytorch" ({@code model.weight_init})
   * @param l2Biases weight decay of the biases ({@code model.l2_biases}; PyTorch's weight_decay covers them)
   */
  public record Recipe(int batchSize, String optimizer, double learningRate, double l2, double validationFraction,
      String weightInit, double l2Biases) {
    /** Adam 0.001, batch 32, no weight decay, 20% held out, DL4J's He initialisation. */
    public static Recipe defaults() {
      return new Recipe(32, "adam", 0.001, 0, 0.2, ModelSpec.INIT_HE, 0);
    }

    /** The keys this recipe adds inside JOB.yaml's model section. */
    public String modelKeys() {
      return "l2: " + l2 + ", l2_biases: " + l2Biases + ", weight_init: " + weightInit;
    }

    /** The top-level JOB.yaml lines of this recipe (l2 and weight_init go in the model section). */
    public String yaml() {
      return "batch_size: " + batchSize + "\noptimizer: {name: " + optimizer + ", learning_rate: " + learningRate
          + "}\nvalidation_fraction: " + validationFraction;
    }
  }

  /**
   * The final global model at one site, from the federation's own evaluation on the site's held-out split.
   *
   * @param sensitivity macro-averaged recall
   * @param specificity macro-averaged specificity
   */
  public record SiteResult(String site, long validationImages, double accuracy, double sensitivity,
      double specificity, double auc) {}

  /** What the run produced. */
  public record Result(String jobId, String state, List<RoundSummary> rounds, List<SiteResult> sites,
      Path model, Path auditLog, Path summary, boolean auditIntact, Timing timing, Double testAccuracy) {}

  /**
   * Where the time went.
   *
   * @param setupSeconds data generation, provisioning, start-up
   * @param federationSeconds job submitted to job finished
   * @param trainingSeconds per round, the slowest site's local training, summed
   * @param outsideTrainingSeconds federation time not spent in local training: serialization, TLS, transport,
   *     aggregation, checkpoints, audit
   */
  public record Timing(double setupSeconds, double federationSeconds, double trainingSeconds,
      double outsideTrainingSeconds) {}

  /** A simulation writing under {@code options.outDir()} and printing progress to {@code out}. */
  public Simulation(Options options, PrintWriter out) {
    this.options = options;
    this.out = out;
  }

  /** Runs the whole federation; returns when the job has ended and everything is written. */
  public Result run() throws Exception {
    long start = System.nanoTime();
    Path root = options.outDir().toAbsolutePath();
    requireEmpty(root);
    List<String> siteNames = new ArrayList<>();
    for (int i = 1; i <= options.sites(); i++) {
      siteNames.add("hospital-" + i);
    }
    say("MedFL simulation: %d sites, %d rounds, output in %s", options.sites(), options.rounds(), root);
    // The sites train at the same time on this one machine: each gets an equal share of the cores, at least one.
    int threadsPerSite = Math.max(1, Runtime.getRuntime().availableProcessors() / options.sites());
    say("compute: %s; the %d sites share them, %d training thread%s each", NativeAcceleration.describe(),
        options.sites(), threadsPerSite, threadsPerSite == 1 ? "" : "s");

    Path dataRoot = root.resolve("data");
    SimulationData.Prepared data = SimulationData.prepare(options.dataset(), options.partition(), siteNames,
        dataRoot, options.imagesPerSite(), options.seed());
    say("data: %s (%s)", data.description(), dataRoot);
    classNames = data.classes();

    int port = freePort();
    Provisioner.provision("simulation", HOST + ":" + port, siteNames, List.of("admin"), List.of("auditor"),
        root.resolve("kits"));
    StartupKit coordinatorKit = StartupKit.load(root.resolve("kits").resolve("coordinator"));
    CoordinatorServer coordinator = CoordinatorServer.withTls(new InetSocketAddress(HOST, port),
        coordinatorKit.identity(), coordinatorKit.caCertificate(), coordinatorKit.consortium(),
        root.resolve("coordinator-state")).start();
    say("coordinator: %s:%d, mutual TLS, consortium CA in %s", HOST, port, root.resolve("kits/consortium-ca"));

    List<SiteAgent> agents = new ArrayList<>();
    List<EgressLedger> ledgers = new ArrayList<>();
    List<ManagedChannel> channels = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    ManagedChannel adminChannel = null;
    try {
      for (String site : siteNames) {
        StartupKit kit = StartupKit.load(root.resolve("kits").resolve(site));
        ManagedChannel channel = Channels.mutualTls(HOST, port, kit.identity(), kit.caCertificate());
        channels.add(channel);
        EgressLedger ledger = new EgressLedger(root.resolve("site-state").resolve(site).resolve("egress.jsonl"));
        ledgers.add(ledger);
        SiteAgent agent = new SiteAgent(channel, ledger, kit.identity(), kit.caCertificate(), dataRoot.resolve(site),
            Backoff.standard(), 5_000,
            new SiteAgent.Events() {}).withTrainingThreads(threadsPerSite);
        agents.add(agent);
        Thread thread = new Thread(agent, "site-" + site);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
      say("sites: %s started, each with its own TLS connection and egress ledger", String.join(", ", siteNames));

      StartupKit adminKit = StartupKit.load(root.resolve("kits").resolve("admin"));
      adminChannel = Channels.mutualTls(HOST, port, adminKit.identity(), adminKit.caCertificate());
      AdminClient admin = new AdminClient(adminChannel);
      String specYaml = jobSpec(data).toYaml();
      Files.writeString(root.resolve("job.yaml"), specYaml, StandardCharsets.UTF_8);
      double setupSeconds = seconds(start);
      long federationStart = System.nanoTime();
      String jobId = admin.submit(specYaml);
      say("job %s submitted by admin (%s)", jobId, root.resolve("job.yaml"));
      say("");
      RoundTestCurve curve = data.testSet() == null ? null : new RoundTestCurve(JobSpec.parse(specYaml),
          data.testSet(), new JobStore(root.resolve("coordinator-state/jobs").resolve(jobId)));
      say("%-7s %-7s %-10s %-10s %-11s %-8s%s", "round", "sites", "loss", "local acc", "global acc", "seconds",
          curve == null ? "" : " test acc");
      JobStatus status = follow(admin, jobId, curve);
      double federationSeconds = seconds(federationStart);
      say("");
      say("job %s: %s", status.getState(), status.getMessage());

      Path modelFile = root.resolve("global-model.zip");
      AdminClient.DownloadedModel model = admin.downloadModel(jobId);
      ModelExport.write(JobSpec.parse(model.specYaml()), model.parameters(), modelFile);

      StartupKit auditorKit = StartupKit.load(root.resolve("kits").resolve("auditor"));
      Path auditCopy = root.resolve("audit.log");
      boolean intact;
      ManagedChannel auditorChannel = Channels.mutualTls(HOST, port, auditorKit.identity(),
          auditorKit.caCertificate());
      try {
        AdminClient.AuditCopy copy = new AdminClient(auditorChannel).readAuditLog(jobId);
        Files.writeString(auditCopy, String.join("\n", copy.lines()) + "\n", StandardCharsets.UTF_8);
        Verification verification = AuditVerifier.verify(auditCopy, auditorKit.caCertificate(),
            copy.committedHead());
        String anchors = null;
        long anchored = 0;
        for (EgressLedger ledger : ledgers) {
          List<LedgerEntry> entries = EgressLedger.read(ledger.file());
          anchored += AnchorCheck.count(jobId, entries);
          if (anchors == null) {
            anchors = AnchorCheck.problem(copy.lines(), jobId, entries, "ledger " + ledger.file());
          }
        }
        intact = verification.intact() && anchors == null;
        say("audit log: %s", !verification.intact() ? "NOT INTACT: " + verification.problem()
            : anchors != null ? "NOT INTACT: " + anchors
            : verification.summary() + "; consistent with the " + anchored + " audit heads the sites recorded");
      } finally {
        auditorChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }

      List<SiteResult> siteResults = federatedResults(status);
      // The downloaded model is the last committed round's, which the curve has already evaluated.
      Double lastRoundAccuracy = curve == null || status.getRoundsCount() == 0 ? null
          : curve.accuracies().get(status.getRounds(status.getRoundsCount() - 1).getRound());
      Double testAccuracy = data.testSet() == null ? null : lastRoundAccuracy != null ? lastRoundAccuracy
          : TestSetEvaluation.accuracy(JobSpec.parse(model.specYaml()), model.parameters(), data.testSet());
      double trainingSeconds = 0;
      for (RoundSummary round : status.getRoundsList()) {
        trainingSeconds += maxTrainSeconds(coordinator, jobId, round.getRound());
      }
      double roundSeconds = status.getRoundsList().stream().mapToDouble(RoundSummary::getSeconds).sum();
      Timing timing = new Timing(setupSeconds, federationSeconds, trainingSeconds,
          Math.max(0, roundSeconds - trainingSeconds));
      Path summary = root.resolve("summary.json");
      Result result = new Result(jobId, status.getState(), status.getRoundsList(), siteResults, modelFile,
          root.resolve("coordinator-state/jobs").resolve(jobId).resolve("audit.log"), summary, intact, timing,
          testAccuracy);
      writeSummary(result, curve, summary);
      printEnding(result, root);
      return result;
    } finally {
      agents.forEach(SiteAgent::stop);
      for (ManagedChannel channel : channels) {
        channel.shutdownNow();
      }
      if (adminChannel != null) {
        adminChannel.shutdownNow();
      }
      for (Thread thread : threads) {
        thread.join(10_000);
      }
      for (EgressLedger ledger : ledgers) {
        ledger.close();
      }
      coordinator.stop();
    }
  }

  private JobSpec jobSpec(SimulationData.Prepared data) {
    return JobSpec.parse(String.join("\n",
        "name: simulation",
        "model: {name: " + options.model() + ", input: {width: " + data.size() + ", height: " + data.size()
            + ", channels: " + data.channels() + "}, " + options.recipe().modelKeys() + "}",
        "classes: [" + String.join(", ", data.classes()) + "]",
        "rounds: " + options.rounds(),
        "min_sites: " + options.sites(),
        "fraction: 1.0",
        "local_epochs: " + options.localEpochs(),
        options.recipe().yaml(),
        "round_deadline_seconds: 600",
        "seed: " + options.seed(),
        "strategy: " + options.strategy(),
        options.strategy().equals("fedprox") ? "proximal_mu: " + options.proximalMu() : "",
        options.extraSpec(),
        data.preprocessingYaml(),
        ""));
  }

  /** Prints one line per completed round until the job ends; with a test curve, each round's test accuracy. */
  private JobStatus follow(AdminClient admin, String jobId, RoundTestCurve curve) throws InterruptedException {
    int printed = 0;
    while (true) {
      JobStatus status = admin.status(jobId);
      boolean ended = status.getState().equals("FINISHED") || status.getState().equals("ABORTED")
          || status.getState().equals("FAILED");
      for (int i = printed; i < status.getRoundsCount(); i++) {
        RoundSummary round = status.getRounds(i);
        // A round's line waits for its federated evaluation, which follows the commit.
        if (!round.hasEvaluation() && i == status.getRoundsCount() - 1 && !ended) {
          break;
        }
        printed = i + 1;
        say("%-7s %-7s %-10.4f %-10s %-11s %-8.1f%s", round.getRound() + "/" + status.getRoundsTotal(),
            round.getSitesCount() + "/" + options.sites(), round.getTrainLoss(), orDash(round.getValAccuracy()),
            round.hasEvaluation() ? orDash(round.getEvaluation().getAccuracy()) : "-",
            round.getSeconds(), curve == null ? "" : String.format(" %.4f", curve.evaluate(round)));
        for (String rejected : round.getRejectedList()) {
          say("        rejected %s", rejected);
        }
      }
      if (ended) {
        return status;
      }
      Thread.sleep(POLL_STATUS_MILLIS);
    }
  }

  private static double maxTrainSeconds(CoordinatorServer coordinator, String jobId, int round) {
    return coordinator.jobs().find(jobId).map(driver -> driver.snapshot().rounds().stream()
        .filter(record -> record.round() == round).mapToDouble(r -> r.maxTrainSeconds()).findFirst().orElse(0))
        .orElse(0.0);
  }

  /** An accuracy to four places, or "-" where nothing was held out to measure it (NaN). */
  private static String orDash(double accuracy) {
    return Double.isNaN(accuracy) ? "-" : String.format("%.4f", accuracy);
  }

  /** Per-site results from the federated evaluation of the last evaluated round. */
  private static List<SiteResult> federatedResults(JobStatus status) {
    RoundSummary evaluated = MetricsTable.latestEvaluated(status.getRoundsList());
    List<SiteResult> results = new ArrayList<>();
    if (evaluated != null) {
      for (SiteMetrics site : evaluated.getSiteEvaluationsList()) {
        Metrics m = site.getMetrics();
        results.add(new SiteResult(site.getSite(), m.getExamples(), m.getAccuracy(), m.getMacroRecall(),
            m.getMacroSpecificity(), m.getAuc()));
      }
    }
    return results;
  }

  private void printEnding(Result result, Path root) {
    say("");
    RoundSummary evaluated = MetricsTable.latestEvaluated(result.rounds());
    if (evaluated != null) {
      MetricsTable.print(evaluated, classNames, out);
      say("  chance accuracy: %.4f", 1.0 / classNames.size());
    }
    if (result.testAccuracy() != null) {
      say("  official test set, never seen by any site: accuracy %.4f", result.testAccuracy());
    }
    Timing t = result.timing();
    say("");
    say("time: %.1f s set-up, %.1f s federation (%.1f s local training, %.1f s = %.0f%% of the rounds outside it)",
        t.setupSeconds(), t.federationSeconds(), t.trainingSeconds(), t.outsideTrainingSeconds(),
        100 * t.outsideTrainingSeconds() / Math.max(1e-9, t.trainingSeconds() + t.outsideTrainingSeconds()));
    say("");
    say("global model:  %s", result.model());
    say("audit log:     %s", result.auditLog());
    say("summary:       %s", result.summary());
    say("egress ledgers: %s", root.resolve("site-state"));
    say("verify again:  fl audit verify --state %s %s --ledger %s/*/egress.jsonl", root.resolve("coordinator-state"),
        result.jobId(), root.resolve("site-state"));
  }

  private static void writeSummary(Result result, RoundTestCurve curve, Path file) throws IOException {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("job_id", result.jobId());
    summary.put("state", result.state());
    List<Map<String, Object>> rounds = new ArrayList<>();
    for (RoundSummary round : result.rounds()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("round", round.getRound());
      row.put("sites", round.getSitesList());
      row.put("num_examples", round.getNumExamples());
      row.put("train_loss", round.getTrainLoss());
      row.put("val_accuracy", round.getValAccuracy());
      row.put("seconds", round.getSeconds());
      row.put("model_sha256", round.getModelSha256());
      row.put("rejected", round.getRejectedList());
      if (round.hasEvaluation()) {
        Metrics m = round.getEvaluation();
        Map<String, Object> evaluation = new LinkedHashMap<>();
        evaluation.put("examples", m.getExamples());
        evaluation.put("accuracy", m.getAccuracy());
        evaluation.put("sensitivity", m.getMacroRecall());
        evaluation.put("specificity", m.getMacroSpecificity());
        evaluation.put("f1", m.getMacroF1());
        evaluation.put("auc", m.getAuc());
        row.put("federated_evaluation", evaluation);
      }
      if (round.hasEpsilon()) {
        row.put("epsilon", round.getEpsilon());
      }
      if (curve != null && curve.accuracies().containsKey(round.getRound())) {
        row.put("test_accuracy", curve.accuracies().get(round.getRound()));
      }
      rounds.add(row);
    }
    summary.put("rounds", rounds);
    summary.put("final_model_per_site", result.sites());
    summary.put("timing_seconds", result.timing());
    summary.put("model", result.model().toString());
    summary.put("audit_log", result.auditLog().toString());
    summary.put("audit_intact", result.auditIntact());
    summary.put("test_accuracy", result.testAccuracy());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), summary);
  }

  private static void requireEmpty(Path root) throws IOException {
    if (Files.exists(root)) {
      try (var entries = Files.list(root)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("--out " + root + " is not empty; choose a new folder");
        }
      }
    }
    Files.createDirectories(root);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + HOST + ": " + e.getMessage(), e);
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private void say(String format, Object... args) {
    out.println(args.length == 0 ? format : String.format(format, args));
    out.flush();
  }
}
