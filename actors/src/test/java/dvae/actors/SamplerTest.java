package dvae.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dvae.math.random.RandomStream;
import dvae.math.rbm.PcdSampler;
import dvae.math.rbm.Rbm;
import dvae.protocols.SamplerProtocol.Command;
import dvae.protocols.SamplerProtocol.Estimate;
import dvae.protocols.SamplerProtocol.Sample;
import dvae.protocols.Tensor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SamplerTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void samplesOncePerVersionAndTagsEveryEstimateWithTheVersionItWasMadeAt() {
        ActorRef<Command> sampler = testKit.spawn(Sampler.create(3, new PcdSampler(4, 3, 20, 2,
                new RandomStream(5)), 4, 3, 20, "dvae.actors.dispatchers.math"));
        TestProbe<Estimate> replies = testKit.createTestProbe();
        Tensor prior = Sampler.priorTensor(Rbm.random(4, 3, 0.5, 9));

        sampler.tell(new Sample(3, prior, replies.ref()));
        Estimate atThree = replies.expectMessageClass(Estimate.class, Duration.ofSeconds(10));
        assertEquals(3, atThree.version());
        assertEquals("sampler-3", atThree.samplerId());
        assertEquals(20, atThree.particles());
        assertEquals(4 * 3, atThree.meanZ1Z2().toDoubles().length);

        // An older or the same version gets the latest estimate as it is: the particles do not move again.
        sampler.tell(new Sample(2, prior, replies.ref()));
        assertEquals(atThree, replies.receiveMessage());
        sampler.tell(new Sample(3, prior, replies.ref()));
        assertEquals(atThree, replies.receiveMessage());

        // A newer version moves them: a new estimate, tagged with it.
        sampler.tell(new Sample(5, prior, replies.ref()));
        Estimate atFive = replies.expectMessageClass(Estimate.class, Duration.ofSeconds(10));
        assertEquals(5, atFive.version());
        assertNotEquals(atThree.meanZ1Z2(), atFive.meanZ1Z2());
    }
}
