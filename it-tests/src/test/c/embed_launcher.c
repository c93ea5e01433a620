/*
 * An embedding launcher: a program that starts a JVM in its own process through the invocation
 * API (JNI_CreateJavaVM), as application servers and native hosts do, after setting one variable
 * in its own environment. No preloaded library, nothing on the command line: the JVM's
 * environment differs from the one the process was started with all the same.
 *
 * usage: embed_launcher NAME VALUE JAVA [JVM options...] -cp CLASSPATH MAIN [args...]
 * (what follows VALUE is a java command line: it is used as a wrapper of one)
 */
#include <dlfcn.h>
#include <jni.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OPTIONS 64

typedef jint (*create_vm)(JavaVM **, void **, void *);

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: embed_launcher NAME VALUE JAVA [JVM options...] -cp CLASSPATH MAIN [args...]\n");
        return 2;
    }
    if (setenv(argv[1], argv[2], 1) != 0) {
        perror("embed_launcher: setenv");
        return 2;
    }
    char java[PATH_MAX];
    if (realpath(argv[3], java) == NULL) {
        perror("embed_launcher: java");
        return 2;
    }
    char libjvm[PATH_MAX];
    snprintf(libjvm, sizeof libjvm, "%s/lib/server/libjvm.so", dirname(dirname(java)));
    void *jvm = dlopen(libjvm, RTLD_NOW);
    create_vm create = jvm == NULL ? NULL : (create_vm)dlsym(jvm, "JNI_CreateJavaVM");
    if (create == NULL) {
        fprintf(stderr, "embed_launcher: %s\n", dlerror());
        return 2;
    }
    JavaVMOption options[MAX_OPTIONS];
    char classpath[PATH_MAX * 4];
    int count = 0;
    int i = 4;
    for (; i < argc && argv[i][0] == '-' && count < MAX_OPTIONS; i++) {
        if (strcmp(argv[i], "-cp") == 0 && i + 1 < argc) {
            snprintf(classpath, sizeof classpath, "-Djava.class.path=%s", argv[++i]);
            options[count].optionString = classpath;
        } else {
            options[count].optionString = argv[i];
        }
        options[count++].extraInfo = NULL;
    }
    if (i >= argc) {
        fprintf(stderr, "embed_launcher: no main class\n");
        return 2;
    }
    char *main_class = argv[i++];
    for (char *c = main_class; *c != '\0'; c++) {
        *c = *c == '.' ? '/' : *c;
    }
    JavaVMInitArgs init = {.version = JNI_VERSION_10, .nOptions = count, .options = options, .ignoreUnrecognized = JNI_FALSE};
    JavaVM *vm;
    JNIEnv *env;
    if (create(&vm, (void **)&env, &init) != JNI_OK) {
        fprintf(stderr, "embed_launcher: JNI_CreateJavaVM failed\n");
        return 1;
    }
    int status = 1;
    jclass main_type = (*env)->FindClass(env, main_class);
    jmethodID main_method = main_type == NULL ? NULL : (*env)->GetStaticMethodID(env, main_type, "main", "([Ljava/lang/String;)V");
    jclass string = (*env)->FindClass(env, "java/lang/String");
    jobjectArray args = main_method == NULL || string == NULL ? NULL : (*env)->NewObjectArray(env, argc - i, string, NULL);
    for (int a = 0; args != NULL && a < argc - i; a++) {
        (*env)->SetObjectArrayElement(env, args, a, (*env)->NewStringUTF(env, argv[i + a]));
    }
    if (args != NULL && !(*env)->ExceptionCheck(env)) {
        (*env)->CallStaticVoidMethod(env, main_type, main_method, args);
        status = (*env)->ExceptionCheck(env) ? 1 : 0;
    }
    if ((*env)->ExceptionCheck(env)) {
        (*env)->ExceptionDescribe(env);
    }
    (*vm)->DestroyJavaVM(vm);
    return status;
}
