// ThreadSanitizer annotations for Debian's (uninstrumented) Abseil synchronization library.
//
// Only linked into the `tsan` preset's executables (SA_TSAN, top-level CMakeLists.txt), which
// link with `-Wl,--wrap=<symbol>` for every symbol below: our objects' calls to absl::Mutex,
// absl::CondVar and absl::Notification land in the __wrap_ function here, which tells TSan what
// the call does (lock, unlock, wait, notify) around the real call (__real_).
//
// Why: Debian 12 builds libabsl_synchronization without -fsanitize=thread, so TSan sees neither
// its atomics nor its futex waits, and every access that an absl::Mutex protects would be reported
// as a data race. The annotations are TSan's own interface for custom mutexes
// (sanitizer/tsan_interface.h); between pre_ and post_ TSan ignores memory accesses and sync, so
// condition functions that Abseil evaluates inside Unlock/Await (under the lock, possibly on
// another thread) are not reported either.
//
// Calls made from inside other uninstrumented libraries (gRPC's use of absl::Mutex) are not
// wrapped: TSan does not see those libraries' accesses at all; see tests/sanitizers/tsan.supp.
//
// The symbol names are Itanium manglings for Abseil 20220623 with Debian's inline namespace
// `debian3` (ABSL_OPTION_INLINE_NAMESPACE_NAME). If Abseil changes, the link still succeeds but
// the wraps stop applying and TSan reports races on every mutex-guarded member: update the list
// here and in CMakeLists.txt (`nm -D --defined-only libabsl_synchronization.so`).

#include <sanitizer/tsan_interface.h>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace {

using absl::Condition;
using absl::CondVar;
using absl::Duration;
using absl::Mutex;
using absl::Notification;
using absl::Time;

void PreLock(Mutex* mu, unsigned flags) { __tsan_mutex_pre_lock(mu, flags); }
void PostLock(Mutex* mu, unsigned flags) { __tsan_mutex_post_lock(mu, flags, 0); }
void PreUnlock(Mutex* mu, unsigned flags) { __tsan_mutex_pre_unlock(mu, flags); }
void PostUnlock(Mutex* mu, unsigned flags) { __tsan_mutex_post_unlock(mu, flags); }

// A wait that releases `mu` and holds it again on return (CondVar::Wait, Mutex::Await): modelled
// as an unlock followed by a lock, with Abseil's own work (and condition evaluation) ignored.
template <typename F>
auto ReleaseAndReacquire(Mutex* mu, unsigned flags, F real) {
  PreUnlock(mu, flags);
  auto result = real();
  PostUnlock(mu, flags);
  PreLock(mu, flags);
  PostLock(mu, flags);
  return result;
}

// LockWhen*: a lock that may take a while; with a timeout it returns holding the lock either way.
template <typename F>
auto LockWhen(Mutex* mu, unsigned flags, F real) {
  PreLock(mu, flags);
  auto result = real();
  PostLock(mu, flags);
  return result;
}

constexpr unsigned kRead = __tsan_mutex_read_lock;

}  // namespace

// Each __real_ is the original member function (Abseil's), `self` its `this`.
extern "C" {

// --- absl::Mutex ---
void __real__ZN4absl7debian35Mutex4LockEv(Mutex* self);
void __wrap__ZN4absl7debian35Mutex4LockEv(Mutex* self) {
  PreLock(self, 0);
  __real__ZN4absl7debian35Mutex4LockEv(self);
  PostLock(self, 0);
}

void __real__ZN4absl7debian35Mutex6UnlockEv(Mutex* self);
void __wrap__ZN4absl7debian35Mutex6UnlockEv(Mutex* self) {
  PreUnlock(self, 0);
  __real__ZN4absl7debian35Mutex6UnlockEv(self);
  PostUnlock(self, 0);
}

bool __real__ZN4absl7debian35Mutex7TryLockEv(Mutex* self);
bool __wrap__ZN4absl7debian35Mutex7TryLockEv(Mutex* self) {
  __tsan_mutex_pre_lock(self, __tsan_mutex_try_lock);
  const bool locked = __real__ZN4absl7debian35Mutex7TryLockEv(self);
  __tsan_mutex_post_lock(self, __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed),
                         0);
  return locked;
}

void __real__ZN4absl7debian35Mutex10ReaderLockEv(Mutex* self);
void __wrap__ZN4absl7debian35Mutex10ReaderLockEv(Mutex* self) {
  PreLock(self, kRead);
  __real__ZN4absl7debian35Mutex10ReaderLockEv(self);
  PostLock(self, kRead);
}

void __real__ZN4absl7debian35Mutex12ReaderUnlockEv(Mutex* self);
void __wrap__ZN4absl7debian35Mutex12ReaderUnlockEv(Mutex* self) {
  PreUnlock(self, kRead);
  __real__ZN4absl7debian35Mutex12ReaderUnlockEv(self);
  PostUnlock(self, kRead);
}

bool __real__ZN4absl7debian35Mutex13ReaderTryLockEv(Mutex* self);
bool __wrap__ZN4absl7debian35Mutex13ReaderTryLockEv(Mutex* self) {
  __tsan_mutex_pre_lock(self, kRead | __tsan_mutex_try_lock);
  const bool locked = __real__ZN4absl7debian35Mutex13ReaderTryLockEv(self);
  __tsan_mutex_post_lock(
      self, kRead | __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed), 0);
  return locked;
}

void __real__ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE(Mutex* self, const Condition& c);
void __wrap__ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE(Mutex* self, const Condition& c) {
  LockWhen(self, 0, [&] {
    __real__ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE(self, c);
    return 0;
  });
}

bool __real__ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE(
    Mutex* self, const Condition& c, Duration d);
bool __wrap__ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE(
    Mutex* self, const Condition& c, Duration d) {
  return LockWhen(self, 0, [&] {
    return __real__ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE(self,
                                                                                              c, d);
  });
}

bool __real__ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE(
    Mutex* self, const Condition& c, Time t);
bool __wrap__ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE(
    Mutex* self, const Condition& c, Time t) {
  return LockWhen(self, 0, [&] {
    return __real__ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE(self, c,
                                                                                           t);
  });
}

void __real__ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE(Mutex* self,
                                                                     const Condition& c);
void __wrap__ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE(Mutex* self,
                                                                     const Condition& c) {
  LockWhen(self, kRead, [&] {
    __real__ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE(self, c);
    return 0;
  });
}

void __real__ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE(Mutex* self, const Condition& c);
void __wrap__ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE(Mutex* self, const Condition& c) {
  ReleaseAndReacquire(self, 0, [&] {
    __real__ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE(self, c);
    return 0;
  });
}

bool __real__ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE(
    Mutex* self, const Condition& c, Duration d);
bool __wrap__ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE(
    Mutex* self, const Condition& c, Duration d) {
  return ReleaseAndReacquire(self, 0, [&] {
    return __real__ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE(self, c,
                                                                                           d);
  });
}

bool __real__ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE(
    Mutex* self, const Condition& c, Time t);
bool __wrap__ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE(
    Mutex* self, const Condition& c, Time t) {
  return ReleaseAndReacquire(self, 0, [&] {
    return __real__ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE(self, c, t);
  });
}

// ~Mutex (complete and base object destructors): TSan forgets the mutex, so a new one at the
// same address starts clean.
void __real__ZN4absl7debian35MutexD1Ev(Mutex* self);
void __wrap__ZN4absl7debian35MutexD1Ev(Mutex* self) {
  __tsan_mutex_destroy(self, 0);
  __real__ZN4absl7debian35MutexD1Ev(self);
}
void __real__ZN4absl7debian35MutexD2Ev(Mutex* self);
void __wrap__ZN4absl7debian35MutexD2Ev(Mutex* self) {
  __tsan_mutex_destroy(self, 0);
  __real__ZN4absl7debian35MutexD2Ev(self);
}

// --- absl::CondVar: Wait* releases `mu` and holds it again on return. Signal needs nothing:
// the waiter's re-lock of `mu` orders it after the signaller's unlock.
void __real__ZN4absl7debian37CondVar4WaitEPNS0_5MutexE(CondVar* self, Mutex* mu);
void __wrap__ZN4absl7debian37CondVar4WaitEPNS0_5MutexE(CondVar* self, Mutex* mu) {
  ReleaseAndReacquire(mu, 0, [&] {
    __real__ZN4absl7debian37CondVar4WaitEPNS0_5MutexE(self, mu);
    return 0;
  });
}

bool __real__ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE(CondVar* self,
                                                                                 Mutex* mu,
                                                                                 Duration d);
bool __wrap__ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE(CondVar* self,
                                                                                 Mutex* mu,
                                                                                 Duration d) {
  return ReleaseAndReacquire(mu, 0, [&] {
    return __real__ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE(self, mu, d);
  });
}

bool __real__ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE(CondVar* self,
                                                                              Mutex* mu, Time t);
bool __wrap__ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE(CondVar* self,
                                                                              Mutex* mu, Time t) {
  return ReleaseAndReacquire(mu, 0, [&] {
    return __real__ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE(self, mu, t);
  });
}

// --- absl::Notification: Notify() releases into the notification, every wait that returns true
// acquires from it. HasBeenNotified() is inline (an acquire load of the member `notified_yet_`,
// which follows the 8-byte Mutex), so Notify() also releases into that atomic's address.
static_assert(sizeof(Mutex) == 8 && sizeof(Notification) == 16,
              "absl::Notification layout changed: update the notified_yet_ offset below");

void __real__ZN4absl7debian312Notification6NotifyEv(Notification* self);
void __wrap__ZN4absl7debian312Notification6NotifyEv(Notification* self) {
  __tsan_release(self);
  __tsan_release(reinterpret_cast<char*>(self) + sizeof(Mutex));
  __real__ZN4absl7debian312Notification6NotifyEv(self);
}

void __real__ZNK4absl7debian312Notification19WaitForNotificationEv(const Notification* self);
void __wrap__ZNK4absl7debian312Notification19WaitForNotificationEv(const Notification* self) {
  __real__ZNK4absl7debian312Notification19WaitForNotificationEv(self);
  __tsan_acquire(const_cast<Notification*>(self));
}

bool __real__ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE(
    const Notification* self, Duration d);
bool __wrap__ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE(
    const Notification* self, Duration d) {
  const bool notified =
      __real__ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE(self,
                                                                                            d);
  if (notified) __tsan_acquire(const_cast<Notification*>(self));
  return notified;
}

bool __real__ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE(
    const Notification* self, Time t);
bool __wrap__ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE(
    const Notification* self, Time t) {
  const bool notified =
      __real__ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE(self, t);
  if (notified) __tsan_acquire(const_cast<Notification*>(self));
  return notified;
}

}  // extern "C"
