//! `select!` and `select_biased!` with crossbeam's syntax.
//!
//! The macros accept crossbeam's grammar (`recv(r) -> msg => body`,
//! `send(s, value) -> res => body`, `default => body`,
//! `default(timeout) => body`, bodies as blocks or as expressions followed
//! by a comma) and expand to crossbeam's dynamic `Select` over the inner
//! channels, so the choice is crossbeam's own; the arm that fired then
//! finishes its operation through this crate, which records it. As in
//! crossbeam, a send's value is evaluated only when its arm is chosen.
//!
//! The expansion goes in three steps: parse the arms into a uniform list,
//! bind every channel expression once (in order), then register, select and
//! dispatch on the chosen index.

use crate::chan::{Flavor, Receiver, Sender};
use crossbeam_channel::{RecvError, Select, SelectedOperation, SendError};

impl<T> Receiver<T> {
    #[doc(hidden)]
    pub fn __register<'a>(&'a self, sel: &mut Select<'a>) -> usize {
        match &self.flavor {
            Flavor::Messages(r) => sel.recv(r),
            Flavor::Timer(r) => sel.recv(r),
        }
    }

    #[doc(hidden)]
    pub fn __complete(&self, oper: SelectedOperation<'_>) -> Result<T, RecvError> {
        match &self.flavor {
            Flavor::Messages(r) => oper.recv(r).map(|e| self.opened(e)),
            Flavor::Timer(r) => oper.recv(r),
        }
    }
}

impl<T> Sender<T> {
    #[doc(hidden)]
    pub fn __register<'a>(&'a self, sel: &mut Select<'a>) -> usize {
        sel.send(&self.inner)
    }

    #[doc(hidden)]
    pub fn __complete(&self, oper: SelectedOperation<'_>, msg: T) -> Result<(), SendError<T>> {
        let env = self.numbered(msg);
        let seq = env.seq();
        let result = oper
            .send(&self.inner, env)
            .map_err(|e| SendError(e.0.into_msg()));
        self.finish(seq, result)
    }
}

/// Selects from a set of channel operations (crossbeam's `select!`).
///
/// Blocks until one of the operations is ready, runs it and evaluates its
/// body; with a `default` arm, runs that instead when none is ready (at
/// once, or within the given timeout). A random ready operation is chosen
/// when several are.
#[macro_export]
macro_rules! select {
    ($($tokens:tt)*) => {
        $crate::__select_parse!(@list new () $($tokens)*)
    };
}

/// Like [`select!`], but when several operations are ready the first one in
/// the list is chosen.
#[macro_export]
macro_rules! select_biased {
    ($($tokens:tt)*) => {
        $crate::__select_parse!(@list new_biased () $($tokens)*)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_parse {
    // Every arm parsed.
    (@list $mode:ident ($($arms:tt)*)) => {
        $crate::__select_bind!($mode () [] $($arms)*)
    };
    (@list $mode:ident ($($arms:tt)*) recv($r:expr $(,)?) -> $res:pat => $($rest:tt)*) => {
        $crate::__select_parse!(@body $mode ($($arms)*) (recv ($r) ($res)) $($rest)*)
    };
    (@list $mode:ident ($($arms:tt)*) send($s:expr, $m:expr $(,)?) -> $res:pat => $($rest:tt)*) => {
        $crate::__select_parse!(@body $mode ($($arms)*) (send ($s) ($m) ($res)) $($rest)*)
    };
    (@list $mode:ident ($($arms:tt)*) default => $($rest:tt)*) => {
        $crate::__select_parse!(@body $mode ($($arms)*) (default) $($rest)*)
    };
    (@list $mode:ident ($($arms:tt)*) default($t:expr $(,)?) => $($rest:tt)*) => {
        $crate::__select_parse!(@body $mode ($($arms)*) (timeout ($t)) $($rest)*)
    };
    (@list $mode:ident ($($arms:tt)*) $($rest:tt)*) => {
        compile_error!(
            "invalid syntax for select!: expected `recv(r) -> res => body`, \
             `send(s, msg) -> res => body`, `default => body` or `default(timeout) => body`"
        )
    };
    // An arm's body: a block (the comma after it is optional) or an
    // expression followed by a comma (or ending the list).
    (@body $mode:ident ($($arms:tt)*) ($($head:tt)*) $body:block, $($rest:tt)*) => {
        $crate::__select_parse!(@list $mode ($($arms)* ($($head)* $body)) $($rest)*)
    };
    (@body $mode:ident ($($arms:tt)*) ($($head:tt)*) $body:block $($rest:tt)*) => {
        $crate::__select_parse!(@list $mode ($($arms)* ($($head)* $body)) $($rest)*)
    };
    (@body $mode:ident ($($arms:tt)*) ($($head:tt)*) $body:expr, $($rest:tt)*) => {
        $crate::__select_parse!(@list $mode ($($arms)* ($($head)* { $body })) $($rest)*)
    };
    (@body $mode:ident ($($arms:tt)*) ($($head:tt)*) $body:expr) => {
        $crate::__select_parse!(@list $mode ($($arms)* ($($head)* { $body })))
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_bind {
    // Every channel bound: register, select, dispatch.
    ($mode:ident ($($bound:tt)*) [$($default:tt)*]) => {{
        let mut __sel = $crate::__private::Select::$mode();
        $( $crate::__select_dispatch!(@register __sel $bound); )*
        // Bound first, so that no temporary of the selection outlives the
        // channels it borrows.
        let __out = $crate::__select_dispatch!(@run __sel [$($default)*] ($($bound)*));
        __out
    }};
    ($mode:ident ($($bound:tt)*) [$($default:tt)*] (recv ($r:expr) ($res:pat) $body:tt) $($arms:tt)*) => {{
        let __h = &$r;
        $crate::__select_bind!($mode ($($bound)* (recv __h ($res) $body)) [$($default)*] $($arms)*)
    }};
    ($mode:ident ($($bound:tt)*) [$($default:tt)*] (send ($s:expr) ($m:expr) ($res:pat) $body:tt) $($arms:tt)*) => {{
        let __h = &$s;
        $crate::__select_bind!($mode ($($bound)* (send __h ($m) ($res) $body)) [$($default)*] $($arms)*)
    }};
    ($mode:ident ($($bound:tt)*) [] (default $body:tt) $($arms:tt)*) => {
        $crate::__select_bind!($mode ($($bound)*) [default $body] $($arms)*)
    };
    ($mode:ident ($($bound:tt)*) [] (timeout ($t:expr) $body:tt) $($arms:tt)*) => {
        $crate::__select_bind!($mode ($($bound)*) [timeout ($t) $body] $($arms)*)
    };
    ($mode:ident ($($bound:tt)*) [$($default:tt)+] ($kind:ident $($arm:tt)*) $($arms:tt)*) => {
        compile_error!("there can be only one `default` case in a `select!` block")
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_dispatch {
    (@register $sel:ident (recv $h:ident $($rest:tt)*)) => {
        $h.__register(&mut $sel)
    };
    (@register $sel:ident (send $h:ident $($rest:tt)*)) => {
        $h.__register(&mut $sel)
    };
    (@run $sel:ident [] ($($bound:tt)*)) => {{
        let __oper = $sel.select();
        let __index = __oper.index();
        $crate::__select_dispatch!(@arm __oper __index (0usize) $($bound)*)
    }};
    (@run $sel:ident [default $body:tt] ($($bound:tt)*)) => {
        match $sel.try_select() {
            ::core::result::Result::Ok(__oper) => {
                let __index = __oper.index();
                $crate::__select_dispatch!(@arm __oper __index (0usize) $($bound)*)
            }
            ::core::result::Result::Err(_) => $body,
        }
    };
    (@run $sel:ident [timeout ($t:expr) $body:tt] ($($bound:tt)*)) => {
        match $sel.select_timeout($t) {
            ::core::result::Result::Ok(__oper) => {
                let __index = __oper.index();
                $crate::__select_dispatch!(@arm __oper __index (0usize) $($bound)*)
            }
            ::core::result::Result::Err(_) => $body,
        }
    };
    (@arm $oper:ident $index:ident ($($n:tt)*)) => {
        ::core::unreachable!("select! chose an operation it does not have")
    };
    (@arm $oper:ident $index:ident ($($n:tt)*) (recv $h:ident ($res:pat) $body:tt) $($rest:tt)*) => {
        if $index == $($n)* {
            let $res = $h.__complete($oper);
            $body
        } else {
            $crate::__select_dispatch!(@arm $oper $index ($($n)* + 1) $($rest)*)
        }
    };
    (@arm $oper:ident $index:ident ($($n:tt)*) (send $h:ident ($m:expr) ($res:pat) $body:tt) $($rest:tt)*) => {
        if $index == $($n)* {
            let $res = $h.__complete($oper, $m);
            $body
        } else {
            $crate::__select_dispatch!(@arm $oper $index ($($n)* + 1) $($rest)*)
        }
    };
}
