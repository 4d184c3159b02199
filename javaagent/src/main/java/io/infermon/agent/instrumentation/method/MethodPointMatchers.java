package io.infermon.agent.instrumentation.method;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.infermon.agent.config.MethodPoint;
import io.infermon.agent.util.Glob;
import java.util.List;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.description.type.TypeList;
import net.bytebuddy.matcher.ElementMatcher;

/** Byte Buddy matchers for a {@link MethodPoint}: which classes, and which of their methods. */
public final class MethodPointMatchers {
    private MethodPointMatchers() {
    }

    public static ElementMatcher<TypeDescription> types(MethodPoint p) {
        return switch (p.match()) {
            case EXACT -> named(p.classPattern());
            case GLOB -> new ElementMatcher<>() {
                @Override
                public boolean matches(TypeDescription target) {
                    return Glob.matches(p.classPattern(), target.getName());
                }

                @Override
                public String toString() {
                    return "glob(" + p.classPattern() + ")";
                }
            };
            case IMPLEMENTATIONS_OF -> not(isInterface()).<TypeDescription>and(hasSuperType(named(p.classPattern())));
        };
    }

    public static ElementMatcher<MethodDescription> methods(MethodPoint p) {
        ElementMatcher.Junction<MethodDescription> m = isMethod().and(named(p.method())).and(not(isAbstract()));
        List<String> parameters = p.parameterTypes();
        if (parameters == null) {
            return m;
        }
        return m.and(new ElementMatcher<>() {
            @Override
            public boolean matches(MethodDescription target) {
                TypeList types = target.getParameters().asTypeList().asErasures();
                if (types.size() != parameters.size()) {
                    return false;
                }
                for (int i = 0; i < types.size(); i++) {
                    String want = parameters.get(i);
                    TypeDescription have = types.get(i);
                    if (!want.equals(have.getActualName()) && !want.equals(have.getSimpleName())) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public String toString() {
                return "parameters" + parameters;
            }
        });
    }
}
