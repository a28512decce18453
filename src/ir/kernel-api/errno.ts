// Kernel errno values and the shape of an errno name. Read from
// include/uapi/asm-generic/errno-base.h, errno.h and include/linux/errno.h.

/** Kernel errno values (include/uapi/asm-generic/errno-base.h, errno.h, include/linux/errno.h). */
const ERRNOS: Readonly<Record<string, number>> = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  EDEADLK: 35,
  ENOSYS: 38,
  ENOTSUPP: 524,
  EOPNOTSUPP: 95,
  ETIMEDOUT: 110,
  ERESTARTSYS: 512,
  ECANCELED: 125,
  ENOLCK: 37,
};

/** `-EAGAIN`, the only error an invalidate_range_start may return. */
export const EAGAIN = ERRNOS.EAGAIN!;

/** An errno name's value; names mnlint does not know get one no real errno has. */
export function errnoNumber(name: string): number {
  return ERRNOS[name] ?? 1000;
}

export const ERRNO_NAME = /^E[A-Z0-9]+$/;
