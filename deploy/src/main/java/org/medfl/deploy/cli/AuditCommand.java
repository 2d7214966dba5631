package org.medfl.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.medfl.client.egress.AnchorCheck;
import org.medfl.client.egress.EgressLedger;
import org.medfl.client.egress.LedgerEntry;
import org.medfl.client.egress.LedgerVerifier;
import java.util.concurrent.Callable;
import org.medfl.common.audit.AuditVerifier;
import org.medfl.common.audit.Verification;
import org.medfl.common.audit.ChainHead;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.pki.Pem;
import org.medfl.common.pki.Role;
import org.medfl.deploy.admin.AdminClient;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** fl audit: check the tamper-evident record. */
@Command(mixinStandardHelpOptions = true, name = "audit", description = "The tamper-evident audit log.", subcommands = AuditCommand.Verify.class)
final class AuditCommand {
  private AuditCommand() {}

  /** fl audit verify. */
  @Command(name = "verify", description = {
      "Check a job's audit log: every record signed by the coordinator, chained to the one before, none changed,",
      "removed, reordered or appended. Against a job (--kit or --state) it also checks that the log reaches the",
      "chain head the coordinator's latest checkpoint committed to, which catches a cut-off tail.",
      "Exit 0 when intact; 1 naming the first bad record."})
  static final class Verify implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** Where the log comes from. */
    static final class Source {
      @Option(names = "--kit", paramLabel = "DIR", description = "An auditor's (or admin's) kit: read the log from the coordinator.")
      Path kit;

      @Option(names = "--log", paramLabel = "FILE", description = "A log file on its own.")
      Path log;

      @Option(names = "--state", paramLabel = "DIR", description = "A coordinator state directory.")
      Path state;
    }

    @Option(names = "--ca", paramLabel = "FILE", description = "Consortium CA certificate the signer must chain to "
        + "(with --kit, the kit's CA is used).")
    Path caFile;

    @Parameters(paramLabel = "JOB_ID", arity = "0..1", description = "The job (with --kit or --state).")
    String jobId;

    @Option(names = "--ledger", arity = "1..*", paramLabel = "FILE",
        description = "Sites' egress ledgers: every audit head a site was shown must still be in the log.")
    List<Path> ledgers = List.of();

    @Override
    public Integer call() throws IOException {
      X509Certificate ca = caFile == null ? null : Pem.readCertificate(caFile);
      Path logFile;
      ChainHead committed = null;
      if (source.log != null) {
        if (!Files.isRegularFile(source.log)) {
          throw new CliException(ExitCodes.USAGE, "--log " + source.log + " is not a file");
        }
        logFile = source.log;
      } else {
        if (jobId == null) {
          throw new CliException(ExitCodes.USAGE, "name the JOB_ID whose log to verify");
        }
        if (source.kit != null) {
          StartupKit kit = KitOptions.load(source.kit, Role.AUDITOR, Role.ADMIN);
          ca = kit.caCertificate();
          AdminClient.AuditCopy copy = JobCommand.withAdmin(kit, admin -> admin.readAuditLog(jobId));
          logFile = Files.createTempFile("medfl-audit-", ".log");
          logFile.toFile().deleteOnExit();
          Files.writeString(logFile, copy.lines().isEmpty() ? "" : String.join("\n", copy.lines()) + "\n",
              StandardCharsets.UTF_8);
          committed = copy.committedHead();
        } else {
          Path jobDir = source.state.resolve("jobs").resolve(jobId);
          if (!Files.isDirectory(jobDir)) {
            throw new CliException(ExitCodes.USAGE, "no job " + jobId + " in " + source.state);
          }
          logFile = jobDir.resolve("audit.log");
          committed = committedHead(jobDir);
        }
      }
      Verification result = AuditVerifier.verify(logFile, ca, committed);
      if (!result.intact()) {
        spec.commandLine().getOut().println("NOT INTACT: " + result.problem());
        return ExitCodes.FAILED;
      }
      String anchors = checkLedgers(logFile);
      if (anchors != null && anchors.startsWith("NOT INTACT")) {
        spec.commandLine().getOut().println(anchors);
        return ExitCodes.FAILED;
      }
      spec.commandLine().getOut().println(result.summary() + (anchors == null ? "" : "; " + anchors));
      return ExitCodes.OK;
    }

    /** Null without --ledger; else a summary, or a line starting "NOT INTACT" naming the contradiction. */
    private String checkLedgers(Path logFile) throws IOException {
      if (ledgers.isEmpty()) {
        return null;
      }
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      String job = lines.isEmpty() ? "" : new ObjectMapper().readTree(lines.get(0)).path("job").asText();
      long anchors = 0;
      for (Path ledger : ledgers) {
        if (!Files.isRegularFile(ledger)) {
          throw new CliException(ExitCodes.USAGE, "--ledger " + ledger + " is not a file");
        }
        LedgerVerifier.Result chain = LedgerVerifier.verify(ledger);
        if (!chain.intact()) {
          return "NOT INTACT: ledger " + ledger + ": " + chain.problem();
        }
        List<LedgerEntry> entries = EgressLedger.read(ledger);
        String problem = AnchorCheck.problem(lines, job, entries, "ledger " + ledger);
        if (problem != null) {
          return "NOT INTACT: " + problem;
        }
        anchors += AnchorCheck.count(job, entries);
      }
      return "consistent with " + anchors + " audit heads recorded in " + ledgers.size() + " site ledger(s)";
    }

    /** The later of the heads committed by job.json and checkpoint.json. */
    private static ChainHead committedHead(Path jobDir) throws IOException {
      ChainHead best = null;
      ObjectMapper json = new ObjectMapper();
      for (String name : new String[] {"job.json", "checkpoint.json"}) {
        Path file = jobDir.resolve(name);
        if (Files.exists(file)) {
          JsonNode head = json.readTree(file.toFile()).get("auditHead");
          if (head != null && !head.isNull()) {
            ChainHead candidate = new ChainHead(head.get("records").asLong(), head.get("sha256").asText());
            if (best == null || candidate.records() > best.records()) {
              best = candidate;
            }
          }
        }
      }
      return best;
    }
  }
}
