#define _GNU_SOURCE
#include "CSystem.h"
#include <unistd.h>
#include <sys/syscall.h>

int csystem_accept_nonblocking(int fd, struct sockaddr *addr, socklen_t *len) {
    return accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int csystem_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int csystem_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

int csystem_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms) {
    return epoll_wait(epfd, events, maxevents, timeout_ms);
}

int csystem_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int csystem_gettid(void) { return (int)syscall(SYS_gettid); }
