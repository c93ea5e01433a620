/*
 * A library named libjvm.so that is not the JVM's (red team, round 6): preloaded, it comes first
 * among the objects of that name, and its JVM_GetVmArguments says that attach is closed. The
 * probe must ask the JVM's own libjvm, known by the code the JVM handed it.
 */
#include <jni.h>

JNIEXPORT jobjectArray JNICALL JVM_GetVmArguments(JNIEnv *env)
{
    jclass string = (*env)->FindClass(env, "java/lang/String");
    if (string == NULL) {
        return NULL;
    }
    jobjectArray arguments = (*env)->NewObjectArray(env, 2, string, NULL);
    if (arguments != NULL) {
        (*env)->SetObjectArrayElement(env, arguments, 0, (*env)->NewStringUTF(env, "-XX:+DisableAttachMechanism"));
        (*env)->SetObjectArrayElement(env, arguments, 1, (*env)->NewStringUTF(env, "-XX:-EnableDynamicAgentLoading"));
    }
    return arguments;
}
