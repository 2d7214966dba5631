package org.medfl.deploy.cli;

import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.medfl.client.SiteAgent;
import org.medfl.client.connect.Backoff;
import org.medfl.client.data.SiteData;
import org.medfl.client.egress.EgressLedger;
import org.medfl.client.privacy.PrivacyBudget;
import org.medfl.client.privacy.PrivacyPolicy;
import org.medfl.client.egress.LedgerEntry;
import org.medfl.client.egress.LedgerVerifier;
import org.medfl.common.kit.Enrollment;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.pki.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** fl site: run a hospital's site agent. */
@Command(mixinStandardHelpOptions = true, name = "site", description = "Run a site agent next to a hospital's data.",
    subcommands = {SiteCommand.Enroll.class, SiteCommand.Start.class, SiteCommand.Status.class,
        SiteCommand.Ledger.class})
final class SiteCommand {
  /** fl site enroll. */
  @Command(name = "enroll", description = {
      "Join the consortium, or renew this site's key; the private key never leaves",
      "this machine.",
      "  1. fl site enroll --name NAME --kit KIT",
      "     writes KIT/enroll/key.pem (mode 600) and KIT/enroll/NAME.csr.pem",
      "  2. send NAME.csr.pem to the CA operator, who runs fl provision sign",
      "  3. fl site enroll --complete SIGNED_KIT --kit KIT",
      "     installs the kit they send back with the key from step 1",
      "On an existing kit, step 1 needs no --name: it renews the key, and step 3",
      "keeps local/ (site state, privacy budget)."})
  static final class Enroll implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = {"--kit", "--out"}, required = true, paramLabel = "DIR",
        description = "This site's kit folder: created if new, or the kit whose key is renewed.")
    Path kitDir;

    @Option(names = "--name", paramLabel = "NAME",
        description = "The site's name in the consortium (default: the name of the kit in --kit).")
    String name;

    @Option(names = "--complete", paramLabel = "SIGNED_KIT",
        description = "Install the kit from fl provision sign with the key made by the first step.")
    Path signed;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      if (signed != null) {
        if (name != null) {
          throw new CliException(ExitCodes.USAGE, "--name goes with the first step; --complete takes the name from"
              + " the signed kit " + signed);
        }
        boolean rotation = Files.exists(kitDir.resolve("startup"));
        StartupKit kit = Enrollment.complete(kitDir, signed);
        out.printf("kit %s ready: %s %s of consortium %s, certificate serial %s valid until %s, coordinator %s:%d%n",
            kitDir, kit.role().certValue(), kit.name(), kit.consortium(),
            kit.identity().certificate().getSerialNumber().toString(16),
            kit.identity().certificate().getNotAfter().toInstant(), kit.coordinatorHost(), kit.coordinatorPort());
        if (rotation) {
          out.printf("the previous key is deleted; restart the site agent to use the new certificate, then ask the CA"
              + " operator to revoke the old one: fl provision revoke %s --superseded%n", kit.name());
        } else {
          out.printf("start it with: fl site start --kit %s --data DIR%n", kitDir);
        }
      } else {
        Enrollment.Request request = Enrollment.begin(kitDir, name);
        out.printf("private key: %s (mode 600; it never leaves this machine)%n", request.key());
        out.printf("signing request: %s%n", request.request());
        out.printf("key fingerprint: %s%n", request.fingerprint());
        out.printf("next: send %s to the consortium's CA operator (it holds no secret) and read them the fingerprint;"
            + " they run%n  fl provision sign --ca-dir consortium-ca --csr %s --role site --fingerprint %s%s%n",
            request.request().getFileName(), request.request().getFileName(), request.fingerprint(),
            request.rotation() ? " --rotate" : "");
        out.printf("then install the kit they send back: fl site enroll --complete SIGNED_KIT --kit %s%n", kitDir);
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** fl site start. */
  @Command(name = "start", description = {
      "Join the consortium and train on local data whenever the coordinator asks. Only model updates leave the site;",
      "every call to the coordinator is recorded in STATE/egress.jsonl. Reconnects with backoff; Ctrl-C stops it."})
  static final class Start implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--kit", required = true, paramLabel = "DIR", description = "This site's startup kit.")
    Path kitDir;

    @Option(names = "--data", required = true, paramLabel = "DIR",
        description = "Local images: DIR/<label>/**/*.dcm, DIR/manifest.csv (path,label[,patient_id]) of DICOM "
            + "files, or DIR/<label>/*.png|*.jpg.")
    Path data;

    @Option(names = "--state", paramLabel = "DIR", description = "Site state (egress ledger); default KIT/local/state.")
    Path state;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + SiteData.DEFAULT_MAX_PIXELS,
        description = "Skip images larger than N pixels (width x height, times frames decoded for DICOM), read from "
            + "their headers before decoding: a guard against decompression bombs (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--training-threads", paramLabel = "N",
        description = "Threads that share each training step, each taking part of the minibatch (default: this "
            + "machine's cores, ${DEFAULT-VALUE}). Results are reproducible for a given N.")
    int trainingThreads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() {
      StartupKit kit = KitOptions.load(kitDir, Role.SITE);
      if (trainingThreads < 1) {
        throw new CliException(ExitCodes.USAGE, "--training-threads must be at least 1, got " + trainingThreads);
      }
      if (!Files.isDirectory(data)) {
        throw new CliException(ExitCodes.USAGE, "--data " + data + " is not a directory");
      }
      if (maxPixels < 1) {
        throw new CliException(ExitCodes.USAGE, "--max-pixels must be at least 1, got " + maxPixels);
      }
      Path stateDir = state != null ? state : kitDir.resolve("local").resolve("state");
      EgressLedger ledger = new EgressLedger(stateDir.resolve("egress.jsonl"));
      ManagedChannel channel = KitOptions.channel(kit);
      int[] exit = {ExitCodes.OK};
      SiteAgent agent = new SiteAgent(channel, ledger, kit.identity(), kit.caCertificate(), data,
          Backoff.standard(), 20_000, new SiteAgent.Events() {
        @Override
        public void fatal(String reason) {
          exit[0] = ExitCodes.FAILED;
          System.err.println("fl: error: " + reason);
        }
      });
      PrivacyPolicy policy = PrivacyPolicy.load(kitDir);
      agent.withPrivacy(policy, PrivacyBudget.open(stateDir)).withMaxPixels(maxPixels)
          .withTrainingThreads(trainingThreads);
      spec.commandLine().getOut().printf("site %s of consortium %s: connecting to %s:%d; egress ledger %s%n",
          kit.name(), kit.consortium(), kit.coordinatorHost(), kit.coordinatorPort(), ledger.file().toAbsolutePath());
      spec.commandLine().getOut().printf("training: up to %d thread%s per step (--training-threads; networks with "
          + "batch normalisation use 1)%n", trainingThreads, trainingThreads == 1 ? "" : "s");
      spec.commandLine().getOut().printf("privacy policy: %s%n", policy.isDefault()
          ? "none (add " + kitDir.resolve(PrivacyPolicy.FILE) + " to set one)" : policy);
      spec.commandLine().getOut().flush();
      Thread worker = Thread.currentThread();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        agent.stop();
        channel.shutdownNow();
        try {
          worker.join(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "site-shutdown"));
      try {
        agent.run();
      } finally {
        KitOptions.close(channel);
        try {
          ledger.close();
        } catch (java.io.IOException e) {
          System.err.println("fl: warning: closing the egress ledger: " + e.getMessage());
        }
      }
      return exit[0];
    }
  }

  /** fl site status. */
  @Command(name = "status", description = "This site's privacy policy and the privacy budget it has left across jobs.")
  static final class Status implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--kit", required = true, paramLabel = "DIR", description = "This site's startup kit.")
    Path kitDir;

    @Option(names = "--state", paramLabel = "DIR", description = "Site state directory (default KIT/local/state).")
    Path state;

    @Override
    public Integer call() {
      StartupKit kit = KitOptions.load(kitDir, Role.SITE);
      PrivacyPolicy policy = PrivacyPolicy.load(kitDir);
      PrivacyBudget budget = PrivacyBudget.open(state != null ? state : kitDir.resolve("local").resolve("state"));
      var out = spec.commandLine().getOut();
      out.printf("site %s of consortium %s%n", kit.name(), kit.consortium());
      out.printf("  policy: %s%n", policy.isDefault() ? "none (" + kitDir.resolve(PrivacyPolicy.FILE)
          + " is absent or sets nothing)" : policy);
      out.printf("  epsilon spent across jobs: %.4f%n", budget.spent());
      out.printf("  remaining: %s%n", policy.hasBudget() ? String.format("%.4f of %.4f (delta %s)",
          budget.remaining(policy), policy.budget().epsilon(), policy.budget().delta()) : "unlimited (no budget set)");
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** fl site ledger. */
  @Command(name = "ledger", description = {
      "Show what left this site, from its egress ledger: messages and bytes per job and kind.",
      "With --verify, also check the ledger's hash chain (exit 1 naming the first bad line)."})
  static final class Ledger implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--kit", required = true, paramLabel = "DIR", description = "This site's startup kit.")
    Path kitDir;

    @Option(names = "--state", paramLabel = "DIR", description = "Site state directory (default KIT/local/state).")
    Path state;

    @Option(names = "--verify", description = "Check the hash chain.")
    boolean verify;

    @Override
    public Integer call() throws java.io.IOException {
      KitOptions.load(kitDir, Role.SITE);
      Path file = (state != null ? state : kitDir.resolve("local").resolve("state")).resolve("egress.jsonl");
      if (!Files.isRegularFile(file)) {
        throw new CliException(ExitCodes.USAGE, "no egress ledger at " + file + "; has this site run?");
      }
      var out = spec.commandLine().getOut();
      var entries = EgressLedger.read(file);
      java.util.Map<String, java.util.Map<String, long[]>> byJob = new java.util.TreeMap<>();
      for (LedgerEntry entry : entries) {
        if (entry.kind().equals(LedgerEntry.AUDIT_ANCHOR)) {
          continue;
        }
        long[] sums = byJob.computeIfAbsent(entry.job().isEmpty() ? "(no job)" : entry.job(),
            j -> new java.util.TreeMap<>()).computeIfAbsent(entry.kind(), k -> new long[2]);
        sums[0]++;
        sums[1] += entry.bytes();
      }
      out.printf("egress ledger %s: %d entries%n", file, entries.size());
      out.printf("  %-28s %-20s %9s %14s%n", "job", "kind", "messages", "bytes");
      byJob.forEach((job, kinds) -> kinds.forEach((kind, sums) ->
          out.printf("  %-28s %-20s %9d %14d%n", job, kind, sums[0], sums[1])));
      int code = ExitCodes.OK;
      if (verify) {
        LedgerVerifier.Result result = LedgerVerifier.verify(file);
        if (result.intact()) {
          out.printf("chain intact: %d entries, head %s…%n", result.entries(), result.head().substring(0, 12));
        } else {
          out.println("NOT INTACT: " + result.problem());
          code = ExitCodes.FAILED;
        }
      }
      out.flush();
      return code;
    }
  }
}
