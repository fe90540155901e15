//! Ordering the C functions of a file callee-first, shared by every architecture: the
//! stack model of a caller needs its callees' depths. Strongly connected components of the
//! call graph (Tarjan), callees first; a component that contains a call (not only tail
//! calls) is recursion, whose stack use is unbounded.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// The outgoing edges of one function.
#[derive(Debug, Clone, Default)]
pub struct Edges {
    pub calls: Vec<usize>,
    pub tail_calls: Vec<usize>,
}

/// Components callee-first (each sorted), or `Err(f)` for a function on a call cycle.
/// Edges to functions missing from `graph` are ignored.
pub fn callee_first(graph: &HashMap<usize, Edges>) -> Result<Vec<Vec<usize>>, usize> {
    // Tarjan's algorithm with an explicit stack of (function, its edges, next edge): a
    // call chain as long as the file has functions never deepens the thread's stack.
    /// A function being visited, and the index of its next edge (calls, then tail calls).
    struct Frame {
        f: usize,
        next: usize,
    }
    #[derive(Default)]
    struct Tarjan {
        index: HashMap<usize, usize>,
        low: HashMap<usize, usize>,
        on_stack: HashSet<usize>,
        stack: Vec<usize>,
        frames: Vec<Frame>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    impl Tarjan {
        fn enter(&mut self, f: usize) {
            self.index.insert(f, self.next);
            self.low.insert(f, self.next);
            self.next += 1;
            self.stack.push(f);
            self.on_stack.insert(f);
            self.frames.push(Frame { f, next: 0 });
        }

        /// All of `f`'s edges are done: close its component, then return to its caller.
        fn leave(&mut self, f: usize) {
            self.frames.pop();
            if self.low[&f] == self.index[&f] {
                let mut scc = Vec::new();
                while let Some(g) = self.stack.pop() {
                    self.on_stack.remove(&g);
                    scc.push(g);
                    if g == f {
                        break;
                    }
                }
                scc.sort_unstable();
                self.out.push(scc);
            }
            if let Some(parent) = self.frames.last() {
                let l = self.low[&parent.f].min(self.low[&f]);
                self.low.insert(parent.f, l);
            }
        }
    }
    let mut t = Tarjan::default();
    let mut roots: Vec<usize> = graph.keys().copied().collect();
    roots.sort_unstable();
    for root in roots {
        if t.index.contains_key(&root) {
            continue;
        }
        t.enter(root);
        while let Some(top) = t.frames.last_mut() {
            let f = top.f;
            let edges = &graph[&f];
            let k = top.next;
            let Some(&g) = edges
                .calls
                .get(k)
                .or_else(|| edges.tail_calls.get(k - edges.calls.len()))
            else {
                t.leave(f);
                continue;
            };
            top.next += 1;
            // Edges to functions missing from `graph` are ignored.
            if !graph.contains_key(&g) {
                continue;
            }
            if !t.index.contains_key(&g) {
                t.enter(g);
            } else if t.on_stack.contains(&g) {
                let l = t.low[&f].min(t.index[&g]);
                t.low.insert(f, l);
            }
        }
    }
    let out = t.out;
    for scc in &out {
        let members: HashSet<usize> = scc.iter().copied().collect();
        for &f in scc {
            if graph[&f].calls.iter().any(|c| members.contains(c)) {
                return Err(f);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(usize, &[usize], &[usize])]) -> HashMap<usize, Edges> {
        edges
            .iter()
            .map(|(f, c, t)| {
                (
                    *f,
                    Edges {
                        calls: c.to_vec(),
                        tail_calls: t.to_vec(),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn callees_first_tail_cycles_allowed_call_cycles_not() {
        let g = graph(&[(0, &[1], &[]), (1, &[2], &[]), (2, &[], &[])]);
        assert_eq!(callee_first(&g), Ok(vec![vec![2], vec![1], vec![0]]));
        let g = graph(&[(0, &[], &[1]), (1, &[], &[0])]);
        assert_eq!(callee_first(&g), Ok(vec![vec![0, 1]]));
        let g = graph(&[(0, &[1], &[]), (1, &[0], &[])]);
        assert!(callee_first(&g).is_err());
        let g = graph(&[(0, &[0], &[])]);
        assert_eq!(callee_first(&g), Err(0));
    }

    #[test]
    fn a_call_chain_of_any_length_needs_no_stack() {
        let n = 200_000;
        let g: HashMap<usize, Edges> = (0..n)
            .map(|f| {
                let calls = if f + 1 < n { vec![f + 1] } else { vec![] };
                (
                    f,
                    Edges {
                        calls,
                        tail_calls: vec![],
                    },
                )
            })
            .collect();
        let order = callee_first(&g).expect("no cycle");
        assert_eq!(order.len(), n);
        assert_eq!((order[0][0], order[n - 1][0]), (n - 1, 0));
    }
}
