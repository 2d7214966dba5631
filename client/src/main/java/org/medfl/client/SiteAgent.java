package org.medfl.client;

import com.google.protobuf.ByteString;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.medfl.client.connect.Backoff;
import org.medfl.client.connect.CoordinatorClient;
import org.medfl.client.connect.GlobalModelCheck;
import org.medfl.client.data.ImageFolderSource;
import org.medfl.client.egress.EgressLedger;
import org.medfl.client.secagg.SecureAggregationSteps;
import org.medfl.client.training.LocalTrainer;
import org.medfl.client.training.RecentJobCache;
import org.medfl.client.training.TrainResult;
import org.medfl.common.codec.CodecException;
import org.medfl.common.codec.ParameterCodec;
import org.medfl.common.crypto.Signatures;
import org.medfl.common.crypto.Statements;
import org.medfl.client.privacy.PolicyCheck;
import org.medfl.client.privacy.PrivacyBudget;
import org.medfl.client.privacy.PrivacyPolicy;
import org.medfl.common.job.DpSpec;
import org.medfl.common.job.JobSpec;
import org.medfl.common.privacy.GaussianNoise;
import org.medfl.common.privacy.L2Clip;
import org.medfl.common.model.NativeAcceleration;
import org.medfl.common.pki.Identity;
import org.medfl.common.metrics.EvaluationMetrics;
import org.medfl.common.metrics.MetricsProto;
import org.medfl.proto.v1.EvaluationReport;
import org.medfl.proto.v1.JoinReply;
import org.medfl.proto.v1.PushReply;
import org.medfl.proto.v1.SecAggStage;
import org.medfl.proto.v1.Task;
import org.medfl.proto.v1.UpdateHeader;
import org.medfl.proto.v1.VectorHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The site agent's loop: join, long-poll for tasks, fetch the global model, train locally, push the update; when the
 * coordinator is unreachable, retry with exponential backoff. Images and labels never leave this class's process:
 * the only payload it sends is the parameter delta (and its header of counts and metrics).
 */
public final class SiteAgent implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(SiteAgent.class);
  /** Reported to the coordinator and recorded in its audit trail. */
  public static final String VERSION = "medfl-site/0.1.0";
  /** Uploads of one update before the site gives up on the round; the round deadline may end them sooner. */
  static final int MAX_PUSH_ATTEMPTS = 5;
  /** Jobs whose trainer (images and network) stays loaded between rounds. */
  static final int KEPT_JOBS = 2;

  private final ManagedChannel channel;
  private final EgressLedger ledger;
  private final Identity identity;
  private final X509Certificate consortiumCa;
  private final CoordinatorClient client;
  private final SecureAggregationSteps secureAggregation;
  private final Path dataDir;
  private final Backoff backoff;
  private final Events events;
  private final long pollMillis;
  /** Trainers of the jobs used last; more would keep finished jobs' images in memory for the agent's whole life. */
  private final RecentJobCache<LocalTrainer> trainers = new RecentJobCache<>(KEPT_JOBS);
  /** One thread for training that overlaps a secure round's key stages; daemon, so it never keeps the JVM alive. */
  private final ExecutorService background = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "site-training");
    thread.setDaemon(true);
    return thread;
  });
  private volatile EarlyTraining early;
  private final SecureRandom noise = new SecureRandom();
  private PrivacyPolicy policy = PrivacyPolicy.permissive();
  private PrivacyBudget budget;
  private long maxPixels = org.medfl.client.data.SiteData.DEFAULT_MAX_PIXELS;
  private int trainingThreads = 1;
  private volatile boolean running = true;
  private volatile Thread thread;

  /** What the agent reports as it works (progress lines, test latches). */
  public interface Events {
    /** Joined the consortium (again, after a reconnect). */
    default void joined(JoinReply reply) {}

    /**
     * About to train a round's local epochs on {@code images} images, on the thread that trains; the model is
     * fetched and checked. The round's update is sent only after this returns.
     */
    default void trainingStarted(String jobId, int round, int images) {}

    /** Trained and had the update accepted. */
    default void updateAccepted(String jobId, int round, TrainResult result) {}

    /** Answered a key or unmasking stage of secure aggregation. */
    default void secureAggregationStep(String jobId, int round, String stage) {}

    /** Evaluated a round's global model and reported it. */
    default void evaluated(String jobId, int round, EvaluationMetrics metrics) {}

    /** The coordinator refused the update or the task failed locally. */
    default void taskFailed(String jobId, int round, String reason) {}

    /** Could not reach the coordinator; retrying after {@code retryMillis}. */
    default void unreachable(String reason, long retryMillis) {}

    /** The agent is stopping because something is wrong that retrying cannot fix. */
    default void fatal(String reason) {}
  }

  /**
   * @param channel a mutual-TLS channel to the coordinator; the caller closes it
   * @param ledger records every call made through the channel
   * @param identity this site's certificate and key; the key signs every update
   * @param consortiumCa the CA that must have issued the coordinator's model-signing certificate
   * @param dataDir the site's private images, {@code <label>/*.png|jpg}
   * @param pollMillis how long each long poll may wait for a task
   */
  public SiteAgent(ManagedChannel channel, EgressLedger ledger, Identity identity, X509Certificate consortiumCa,
      Path dataDir, Backoff backoff, long pollMillis, Events events) {
    this.channel = channel;
    this.identity = identity;
    this.consortiumCa = consortiumCa;
    this.ledger = ledger;
    this.client = new CoordinatorClient(ClientInterceptors.intercept(channel, ledger));
    this.secureAggregation = new SecureAggregationSteps(identity, consortiumCa, client);
    this.dataDir = dataDir;
    this.backoff = backoff;
    this.pollMillis = pollMillis;
    this.events = events;
  }

  /**
   * The hospital's privacy policy and its budget across jobs; tasks that would breach either are refused. Without
   * this call the agent enforces no site policy (a job's own DP settings still apply).
   */
  public SiteAgent withPrivacy(PrivacyPolicy sitePolicy, PrivacyBudget siteBudget) {
    this.policy = sitePolicy;
    this.budget = siteBudget;
    return this;
  }

  /**
   * The largest image this site decodes, in pixels read from each file's header (width x height, times the frames
   * decoded for DICOM); larger files are skipped and reported, as a guard against decompression bombs. Without this
   * call, {@link org.medfl.client.data.SiteData#DEFAULT_MAX_PIXELS}.
   */
  public SiteAgent withMaxPixels(long pixels) {
    if (pixels < 1) {
      throw new IllegalArgumentException("maxPixels must be at least 1, got " + pixels);
    }
    this.maxPixels = pixels;
    return this;
  }

  /**
   * Threads that share each training step, each computing part of the minibatch (see {@link LocalTrainer}'s
   * constructors): the machine's cores for an agent that has them to itself. Without this call 1, for agents that
   * share a machine (a simulation runs every site in one process).
   */
  public SiteAgent withTrainingThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("training threads must be at least 1, got " + threads);
    }
    this.trainingThreads = threads;
    return this;
  }

  /** Runs until {@link #stop()} or a fatal error. */
  @Override
  public void run() {
    thread = Thread.currentThread();
    boolean joined = false;
    while (running) {
      if (ledger.failure() != null) {
        LOG.error("{}; the agent stops rather than send unrecorded traffic", ledger.failure());
        events.fatal(ledger.failure());
        return;
      }
      try {
        if (!joined) {
          JoinReply reply = client.join(VERSION, NativeAcceleration.describe());
          LOG.info("joined consortium {} as {}", reply.getConsortium(), reply.getSiteName());
          events.joined(reply);
          joined = true;
          backoff.reset();
        }
        Task task = client.poll(pollMillis);
        backoff.reset();
        if (task.getKind() != Task.Kind.IDLE) {
          train(task);
        }
      } catch (StatusRuntimeException e) {
        if (!running) {
          break;
        }
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.PERMISSION_DENIED || code == Status.Code.UNAUTHENTICATED) {
          String reason = "the coordinator refused this site's certificate: " + e.getStatus().getDescription();
          LOG.error(reason);
          events.fatal(reason);
          return;
        }
        joined = false;
        long delay = backoff.nextDelayMillis();
        String reason = code + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription());
        LOG.warn("coordinator unreachable ({}); retrying in {} ms", reason, delay);
        events.unreachable(reason, delay);
        if (!pause(delay)) {
          break;
        }
        // gRPC keeps its own reconnect backoff of up to two minutes; ours decides when to try.
        channel.resetConnectBackoff();
      }
    }
  }

  private void train(Task task) {
    String jobId = task.getJobId();
    int round = task.getRound();
    try {
      ledger.anchor(jobId, round, task.getAuditHead().getRecords(), task.getAuditHead().getSha256());
      if (task.getKind() == Task.Kind.SECURE_AGGREGATION && !secureAggregation.takesPart(task)) {
        // restarted mid-round: without its keys the site cannot mask or unmask, so it must not train either
        LOG.warn("job {} round {}: this site restarted after the round's key stages; sitting this round out", jobId,
            round);
        decline(jobId, round, "restarted after the secure aggregation key stages");
        events.taskFailed(jobId, round, "restarted after the secure aggregation key stages");
        return;
      }
      if (SecureAggregationSteps.isMessageStage(task)) {
        secureAggregation.answer(task);
        events.secureAggregationStep(jobId, round, task.getSecureAggregation().getStage().name());
        if (task.getSecureAggregation().getStage() == SecAggStage.ADVERTISE_KEYS) {
          // Train while the key stages run: they only wait for the slowest site, and need no model.
          early = new EarlyTraining(jobId, round, background.submit(() -> prepare(task)));
        }
        return;
      }
      TrainResult result;
      EarlyTraining started = early;
      early = null;
      if (started != null && started.jobId.equals(jobId) && started.round == round) {
        result = started.result();
      } else {
        result = prepare(task);
      }
      if (result != null) {
        push(task, result);
      }
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.CANCELLED) {
        throw e;
      }
      LOG.warn("job {} round {}: coordinator refused: {}", jobId, round, e.getStatus().getDescription());
      events.taskFailed(jobId, round, e.getStatus().getDescription());
    } catch (CodecException | RuntimeException e) {
      LOG.error("job {} round {}: {}", jobId, round, e.getMessage());
      // The reason stays in this site's log: it may name local files. Declining keeps the task from coming back.
      decline(jobId, round, "the task failed at the site (" + e.getClass().getSimpleName() + "; see the site's log)");
      events.taskFailed(jobId, round, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /**
   * Checks the task, fetches and checks the global model, and either evaluates it (EVALUATE; returns null) or trains
   * on it and privatizes the update. Returns null too when the task is refused, after saying why.
   */
  private TrainResult prepare(Task task) throws CodecException {
    String jobId = task.getJobId();
    int round = task.getRound();
    String untrusted = GlobalModelCheck.problem(task, consortiumCa);
    if (untrusted != null) {
      LOG.error("job {} round {}: refusing the global model: {}", jobId, round, untrusted);
      decline(jobId, round, "refused the global model: " + untrusted);
      events.taskFailed(jobId, round, untrusted);
      return null;
    }
    JobSpec spec = JobSpec.parse(task.getJobSpecYaml());
    if (budget != null && task.getKind() != Task.Kind.EVALUATE) {
      var refusal = PolicyCheck.refusal(policy, spec, budget, jobId, round);
      if (refusal.isPresent()) {
        LOG.warn("job {} round {}: refused by this site's privacy policy: {}", jobId, round, refusal.get());
        decline(jobId, round, "site privacy policy: " + refusal.get());
        events.taskFailed(jobId, round, refusal.get());
        return null;
      }
    }
    LocalTrainer trainer = trainerFor(jobId, task.getJobSpecYaml());
    float[] global = client.fetchModel(jobId, round, task.getGlobalModel());
    if (task.getKind() == Task.Kind.EVALUATE) {
      EvaluationMetrics metrics = trainer.evaluateMetrics(global);
      client.reportEvaluation(EvaluationReport.newBuilder().setJobId(jobId).setRound(round)
          .setModelSha256(task.getGlobalModel().getSha256()).setMetrics(MetricsProto.toProto(metrics)).build());
      LOG.info("job {} round {}: global model accuracy {} on {} held-out images", jobId, round,
          String.format("%.4f", metrics.accuracy()), metrics.examples());
      events.evaluated(jobId, round, metrics);
      return null;
    }
    LOG.info("job {} round {}: training on {} local images", jobId, round, trainer.trainSize());
    events.trainingStarted(jobId, round, trainer.trainSize());
    TrainResult result = trainer.train(global, round, null);
    privatize(spec, jobId, round, result.delta());
    return result;
  }

  /** Signs and streams the update (masked first, in a secure-aggregation round) and reports the verdict. */
  private void push(Task task, TrainResult result) throws InterruptedException {
    String jobId = task.getJobId();
    int round = task.getRound();
    boolean masked = task.getKind() == Task.Kind.SECURE_AGGREGATION;
    float[] payload = masked ? secureAggregation.mask(task, result.delta(), result.numExamples()) : result.delta();
    VectorHeader update = ParameterCodec.header(payload);
    byte[] signature = Signatures.sign(identity.privateKey(), Statements.update(jobId, round, identity.name(),
        result.numExamples(), task.getGlobalModel().getSha256(), update.getSha256()));
    UpdateHeader header = UpdateHeader.newBuilder()
        .setJobId(jobId)
        .setRound(round)
        .setNumExamples(result.numExamples())
        .setTrainLoss(result.trainLoss())
        .setValAccuracy(result.valAccuracy())
        .setNumValExamples(result.numValExamples())
        .setTrainSeconds(result.seconds())
        .setBaseSha256(task.getGlobalModel().getSha256())
        .setUpdate(update)
        .setSignature(ByteString.copyFrom(signature))
        .setMasked(masked)
        .build();
    PushReply reply = pushUntilAnswered(task, header, payload);
    if (reply.getAccepted()) {
      LOG.info("job {} round {}: update accepted (loss {}, val acc {})", jobId, round,
          String.format("%.4f", result.trainLoss()), String.format("%.4f", result.valAccuracy()));
      events.updateAccepted(jobId, round, result);
    } else {
      events.taskFailed(jobId, round, reply.getReason());
    }
  }

  /**
   * Sends the update, and sends it again while the connection fails and the round is still open: a verdict lost on
   * the way back is harmless, because the coordinator counts an update once by site, round and digest.
   */
  private PushReply pushUntilAnswered(Task task, UpdateHeader header, float[] payload) throws InterruptedException {
    Backoff retry = new Backoff(500, 10_000);
    for (int attempt = 1; ; attempt++) {
      try {
        return client.pushUpdate(header, payload);
      } catch (StatusRuntimeException e) {
        long delay = retry.nextDelayMillis();
        boolean transport = e.getStatus().getCode() == Status.Code.UNAVAILABLE
            || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED;
        if (!transport || attempt >= MAX_PUSH_ATTEMPTS || !running
            || System.currentTimeMillis() + delay >= task.getDeadlineEpochMillis()) {
          throw e;
        }
        LOG.warn("job {} round {}: update upload failed ({}); sending it again in {} ms", task.getJobId(),
            task.getRound(), e.getStatus().getCode(), delay);
        if (!pause(delay)) {
          throw e;
        }
        channel.resetConnectBackoff();
      }
    }
  }

  /** Tells the coordinator this site will not do the task; if that fails too, the round's deadline still ends it. */
  private void decline(String jobId, int round, String reason) {
    try {
      client.decline(jobId, round, reason);
    } catch (StatusRuntimeException e) {
      LOG.warn("job {} round {}: could not tell the coordinator the task is declined: {}", jobId, round,
          e.getStatus());
    }
  }

  /** Training started during a secure round's key stages, collected when the masked-input stage asks for it. */
  private static final class EarlyTraining {
    final String jobId;
    final int round;
    private final Future<TrainResult> future;

    EarlyTraining(String jobId, int round, Future<TrainResult> future) {
      this.jobId = jobId;
      this.round = round;
      this.future = future;
    }

    /** The finished training (null if it was refused), rethrowing what the background thread threw. */
    TrainResult result() throws InterruptedException, CodecException {
      try {
        return future.get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof CodecException codec) {
          throw codec;
        }
        if (cause instanceof RuntimeException runtime) {
          throw runtime;
        }
        throw new IllegalStateException(cause);
      }
    }
  }

  /**
   * Clips the update and, in distributed mode, adds this site's share of the noise; then records the privacy spent,
   * before anything leaves the site.
   */
  private void privatize(JobSpec spec, String jobId, int round, float[] delta) {
    DpSpec dp = spec.dp();
    if (dp == null) {
      return;
    }
    L2Clip.clipInPlace(delta, dp.clip());
    double sigma = GaussianNoise.siteSigma(dp.noiseMultiplier(), dp.clip(), spec.minSites(), dp.mode());
    if (sigma > 0) {
      GaussianNoise.addInPlace(delta, sigma, noise);
    }
    if (budget != null) {
      budget.record(jobId, PolicyCheck.siteEpsilonAfter(spec, round), dp.delta());
    }
  }

  /** One trainer per recent job: its data is loaded once and its network reused across rounds. */
  private LocalTrainer trainerFor(String jobId, String specYaml) {
    RecentJobCache.Lookup<LocalTrainer> lookup = trainers.get(jobId, id -> newTrainer(id, specYaml));
    lookup.dropped().forEach(dropped -> LOG.info("job {}: released its images and network (this site keeps the {} "
        + "most recent jobs loaded; the job reloads them if it comes back)", dropped, KEPT_JOBS));
    return lookup.value();
  }

  private LocalTrainer newTrainer(String jobId, String specYaml) {
    JobSpec spec = JobSpec.parse(specYaml);
    ImageFolderSource.Loaded loaded = org.medfl.client.data.SiteData.load(dataDir, spec, maxPixels);
    LOG.info("job {}: loaded {} images from {} ({} skipped) per class {}", jobId, loaded.report().loaded(), dataDir,
        loaded.report().skipped(), loaded.report().perClass());
    loaded.report().problems().forEach(problem -> LOG.warn("job {}: {}", jobId, problem));
    LocalTrainer trainer = new LocalTrainer(spec, loaded.images(), trainingThreads);
    if (trainer.threads() > 1) {
      LOG.info("job {}: each training step split across {} threads", jobId, trainer.threads());
    }
    return trainer;
  }

  private boolean pause(long millis) {
    try {
      Thread.sleep(millis);
      return running;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Asks the loop to end; an in-flight long poll is cut short by closing the channel. */
  public void stop() {
    running = false;
    background.shutdownNow();
    Thread current = thread;
    if (current != null) {
      current.interrupt();
    }
  }
}
