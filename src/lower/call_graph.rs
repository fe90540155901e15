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
    struct Tarjan<'g> {
        graph: &'g HashMap<usize, Edges>,
        index: HashMap<usize, usize>,
        low: HashMap<usize, usize>,
        on_stack: HashSet<usize>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, f: usize) {
            self.index.insert(f, self.next);
            self.low.insert(f, self.next);
            self.next += 1;
            self.stack.push(f);
            self.on_stack.insert(f);
            let edges: Vec<usize> = self.graph[&f]
                .calls
                .iter()
                .chain(&self.graph[&f].tail_calls)
                .copied()
                .filter(|g| self.graph.contains_key(g))
                .collect();
            for g in edges {
                if !self.index.contains_key(&g) {
                    self.visit(g);
                    let l = self.low[&f].min(self.low[&g]);
                    self.low.insert(f, l);
                } else if self.on_stack.contains(&g) {
                    let l = self.low[&f].min(self.index[&g]);
                    self.low.insert(f, l);
                }
            }
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
        }
    }
    let mut t = Tarjan {
        graph,
        index: HashMap::default(),
        low: HashMap::default(),
        on_stack: HashSet::default(),
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    let mut roots: Vec<usize> = graph.keys().copied().collect();
    roots.sort_unstable();
    for f in roots {
        if !t.index.contains_key(&f) {
            t.visit(f);
        }
    }
    for scc in &t.out {
        let members: HashSet<usize> = scc.iter().copied().collect();
        for &f in scc {
            if graph[&f].calls.iter().any(|c| members.contains(c)) {
                return Err(f);
            }
        }
    }
    Ok(t.out)
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
}
