package dev.ssecast.server.auth;

import com.nimbusds.jwt.JWTClaimsSet;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a verified token allows, from its claim {@code "ssecast": {"subscribe": [...], "publish": [...]}}. A claim
 * that is missing or not of that shape grants nothing (an entry that is not a string, or not a pattern, is
 * skipped), so a malformed grant never widens access. Immutable.
 */
final class Grants {
    static final String CLAIM = "ssecast";
    static final Grants NONE = new Grants(TopicPatterns.NONE, TopicPatterns.NONE);

    private final TopicPatterns subscribe;
    private final TopicPatterns publish;

    private Grants(TopicPatterns subscribe, TopicPatterns publish) {
        this.subscribe = subscribe;
        this.publish = publish;
    }

    static Grants of(JWTClaimsSet claims) {
        Map<String, Object> claim;
        try {
            claim = claims.getJSONObjectClaim(CLAIM);
        } catch (ParseException notAnObject) {
            return NONE;
        }
        if (claim == null) {
            return NONE;
        }
        return new Grants(patterns(claim.get("subscribe")), patterns(claim.get("publish")));
    }

    private static TopicPatterns patterns(Object value) {
        if (!(value instanceof List)) {
            return TopicPatterns.NONE;
        }
        List<String> entries = new ArrayList<>();
        for (Object entry : (List<?>) value) {
            if (entry instanceof String && isPattern((String) entry)) {
                entries.add((String) entry);
            }
        }
        return TopicPatterns.of(entries);
    }

    private static boolean isPattern(String entry) {
        int star = entry.indexOf('*');
        return star < 0 || star == entry.length() - 1;
    }

    boolean maySubscribe(String topic) {
        return subscribe.covers(topic);
    }

    boolean mayPublish(String topic) {
        return publish.covers(topic);
    }

    boolean publishesAnything() {
        return !publish.isEmpty();
    }
}
