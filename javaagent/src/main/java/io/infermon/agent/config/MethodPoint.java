package io.infermon.agent.config;

import java.util.List;

/**
 * A generic {@code method} interception point from {@code agent.yaml}.
 *
 * @param name           the interception point name written in records
 * @param classPattern   the class name, exact or a glob ({@code *} any run of characters, {@code ?} one)
 * @param match          how {@code classPattern} is matched
 * @param method         the method name
 * @param parameterTypes the parameter types as Java writes them ({@code double[][]}, {@code java.util.List}), or
 *                       null to match any overload
 * @param modelName      the model name to record, or null for the global one
 * @param modelVersion   the model version to record, or null for the global one
 * @param argumentRoles  per argument index, its role or null; length {@link #MAX_ARGUMENTS}
 * @param idGetter       the no-argument method to call on the {@code id} argument, or null to use the value itself
 * @param returnRole     the return value's role, or null
 */
public record MethodPoint(String name, String classPattern, ClassMatch match, String method,
                          List<String> parameterTypes, String modelName, String modelVersion, Role[] argumentRoles,
                          String idGetter, Role returnRole) {

    /** Arguments 0 to 5 can be given roles (the advice hands over that many). */
    public static final int MAX_ARGUMENTS = 6;

    public enum ClassMatch {
        EXACT, GLOB, IMPLEMENTATIONS_OF
    }

    /** The argument index with the {@code id} role, or -1. */
    public int idArgument() {
        for (int i = 0; i < argumentRoles.length; i++) {
            if (argumentRoles[i] == Role.ID) {
                return i;
            }
        }
        return -1;
    }

    /** Whether calls produce a label record (some value has the {@code label} role). */
    public boolean isLabelPoint() {
        return has(Role.LABEL);
    }

    /** Whether calls produce an inference record (values are captured, and they are not labels). */
    public boolean producesInference() {
        return capturesValues() && !isLabelPoint();
    }

    /** Whether anything but the id is captured. */
    public boolean capturesValues() {
        for (Role r : argumentRoles) {
            if (r != null && r != Role.ID) {
                return true;
            }
        }
        return returnRole != null;
    }

    private boolean has(Role role) {
        if (returnRole == role) {
            return true;
        }
        for (Role r : argumentRoles) {
            if (r == role) {
                return true;
            }
        }
        return false;
    }
}
