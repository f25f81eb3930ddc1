package dev.ssecast.bench.load;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ssecast-bench capacity}: for each number of connections in turn, raises the publish rate step by step
 * until a step breaks the SLO (p99 above the bound, or fewer deliveries than the least fraction of published x
 * connections), then moves to the next number of connections. The capacity is the step that held with the most
 * deliveries per second.
 */
@Command(name = "capacity", mixinStandardHelpOptions = true,
        description = "Ramp connections and rate step by step until the SLO breaks; report the last step that held.")
final class CapacityCommand implements Callable<Integer> {
    @Mixin
    TargetOptions target;

    @Option(names = "--connections", required = true, split = ",",
            description = "Connection levels, ascending, e.g. 1000,2000,5000")
    List<Integer> levels;

    @Option(names = "--rates", required = true, split = ",",
            description = "Publish rates to try at each level, ascending, e.g. 1,10,100,200,500")
    List<Double> rates;

    @Option(names = "--step", defaultValue = "10", description = "Seconds per step (default: ${DEFAULT-VALUE})")
    int stepSeconds;

    @Option(names = "--p99", defaultValue = "1000",
            description = "SLO: p99 latency bound in ms (default: ${DEFAULT-VALUE})")
    double p99Millis;

    @Option(names = "--min-delivered", defaultValue = "0.99",
            description = "SLO: least fraction of published x connections delivered (default: ${DEFAULT-VALUE})")
    double minDelivered;

    @Override
    public Integer call() throws Exception {
        Results.Slo slo = new Results.Slo(p99Millis, minDelivered);
        List<Results.Step> steps = new ArrayList<>();
        Results.Step capacity = null;
        int max = levels.stream().mapToInt(Integer::intValue).max().orElse(0);
        try (Coordinator run = new Coordinator(target, max, System.out)) {
            for (int level : levels) {
                run.open(level);
                for (double rate : rates) {
                    Results.Step step = run.step(rate, stepSeconds, slo);
                    steps.add(step);
                    if (!step.held()) {
                        break;
                    }
                    if (capacity == null || step.deliveriesPerSecond() > capacity.deliveriesPerSecond()) {
                        capacity = step;
                    }
                }
            }
            Accounting accounting = run.finish();
            if (capacity != null) {
                System.out.printf("capacity: %d connections x %.0f events/s = %.0f deliveries/s, p99 %.2fms%n",
                        capacity.connections(), capacity.rate(), capacity.deliveriesPerSecond(),
                        capacity.latency().p99());
            } else {
                System.out.println("capacity: no step held");
            }
            Reports.write(target, Reports.run(target, "capacity", run.processes(), slo, steps, run.memory(),
                    run.seconds(), accounting, capacity));
            return capacity == null ? 1 : 0;
        }
    }
}
