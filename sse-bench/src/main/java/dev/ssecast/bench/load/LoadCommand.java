package dev.ssecast.bench.load;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ssecast-bench load}: opens N subscribers at a ramp, publishes at a rate for a while (after an optional
 * warm-up at the same rate), prints every second, and reports the step, memory per connection and each
 * connection's losses and disorder.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Open N SSE connections, publish at a rate, and measure deliveries, latency and losses.")
final class LoadCommand implements Callable<Integer> {
    @Mixin
    TargetOptions target;

    @Option(names = "--connections", required = true, description = "Subscribers to open")
    int connections;

    @Option(names = "--rate", defaultValue = "1",
            description = "Events published per second (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--duration", defaultValue = "20",
            description = "Seconds of publishing (default: ${DEFAULT-VALUE})")
    int duration;

    @Option(names = "--warmup", defaultValue = "0",
            description = "Seconds of publishing at the same rate before the measured step, not counted in it: a "
                    + "JIT compiles the server's fan-out then, rather than in the measured CPU (default: "
                    + "${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--p99", defaultValue = "1000",
            description = "SLO: p99 latency bound in ms (default: ${DEFAULT-VALUE})")
    double p99Millis;

    @Option(names = "--min-delivered", defaultValue = "0.99",
            description = "SLO: least fraction of published x connections delivered (default: ${DEFAULT-VALUE})")
    double minDelivered;

    @Override
    public Integer call() throws Exception {
        Results.Slo slo = new Results.Slo(p99Millis, minDelivered);
        try (Coordinator run = new Coordinator(target, connections, System.out)) {
            run.open(connections);
            if (warmup > 0) {
                System.out.printf("warm-up: %d s at %s events/s, not counted%n", warmup, rate);
                run.step(rate, warmup, slo);
            }
            Results.Step step = run.step(rate, duration, slo);
            Accounting accounting = run.finish();
            System.out.printf("accounting: %d connections received %d events; lost %d, out of order %d%n",
                    accounting.connections(), accounting.received(), accounting.lost(), accounting.outOfOrder());
            Reports.write(target, Reports.run(target, "load", run.processes(), slo, List.of(step), run.memory(),
                    run.seconds(), accounting, step.held() ? step : null));
            return step.held() && accounting.lost() == 0 ? 0 : 1;
        }
    }
}
