// Linux system calls that Glibc's Swift overlay does not import: epoll, eventfd, accept4,
// timerfd. Deliberately no _GNU_SOURCE here (it would change types for every importer); the
// .c file defines it for itself.
#ifndef REPRISE_CSYSTEM_H
#define REPRISE_CSYSTEM_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <stdint.h>

/// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC; returns the fd or -1 with errno set.
int csystem_accept_nonblocking(int fd, struct sockaddr *addr, socklen_t *len);

/// epoll_create1(EPOLL_CLOEXEC).
int csystem_epoll_create(void);

/// epoll_ctl with a 64-bit user value (the Swift side packs fd + generation into it).
int csystem_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);

/// epoll_wait into an array of events; data comes back through csystem_epoll_event_data.
int csystem_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms);

static inline uint64_t csystem_epoll_event_data(const struct epoll_event *ev) { return ev->data.u64; }
static inline uint32_t csystem_epoll_event_flags(const struct epoll_event *ev) { return ev->events; }

/// eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC).
int csystem_eventfd(void);

/// Current thread id (gettid), for logs and loop ownership checks.
int csystem_gettid(void);

#endif
