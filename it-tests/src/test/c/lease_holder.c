/*
 * usage: lease_holder NAME...: creates each NAME (a byte written) and holds a write lease on it,
 * taking it again whenever the kernel breaks it, until its parent ends. Any other process's
 * blocking open of those files waits the kernel's lease-break time (45 s by default) each time
 * (red team, round 21: the watcher's look for capture data stalled the JVM's end so).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGIO, SIG_IGN);
    int fds[32];
    int count = argc - 1 < 32 ? argc - 1 : 32;
    for (int i = 0; i < count; i++) {
        fds[i] = open(argv[i + 1], O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fds[i] < 0 || write(fds[i], "x", 1) != 1) {
            perror(argv[i + 1]);
            return 1;
        }
    }
    for (;;) {
        for (int i = 0; i < count; i++) {
            if (fcntl(fds[i], F_GETLEASE) != F_WRLCK && fcntl(fds[i], F_SETLEASE, F_WRLCK) == 0) {
                fprintf(stderr, "LEASE %s\n", argv[i + 1]);
            }
        }
        usleep(20000);
    }
}
