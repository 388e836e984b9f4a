// promql-selectors: parses PromQL expressions with Prometheus's own parser (promql/parser) and prints,
// for each, the metric names and label matchers it selects and the labels it groups or matches on,
// so the dashboard and rule tests can check every query against what the operator really exposes.
// It evaluates nothing. Input: a JSON array of expressions on stdin; output: a JSON array, same order.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

type matcher struct {
	Label string `json:"label"`
	Op    string `json:"op"`
	Value string `json:"value"`
}

type selector struct {
	// Metric is empty when the selector has no name (e.g. {__name__=~"..."}); its matchers then say.
	Metric   string    `json:"metric"`
	Matchers []matcher `json:"matchers"`
}

// labelUse is a `by`/`without` grouping or an `on`/`ignoring`/`group_*` list, with the metrics that
// feed it: each label must exist on those metrics or the grouping silently collapses.
type labelUse struct {
	Clause  string   `json:"clause"`
	Labels  []string `json:"labels"`
	Metrics []string `json:"metrics"`
}

type result struct {
	Expr      string     `json:"expr"`
	Error     string     `json:"error,omitempty"`
	Selectors []selector `json:"selectors"`
	LabelUses []labelUse `json:"labelUses"`
}

func metricsUnder(node parser.Node) []string {
	seen := map[string]bool{}
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && vs.Name != "" {
			seen[vs.Name] = true
		}
		return nil
	})
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func analyse(p parser.Parser, input string) result {
	r := result{Expr: input, Selectors: []selector{}, LabelUses: []labelUse{}}
	expr, err := p.ParseExpr(input)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		switch e := n.(type) {
		case *parser.VectorSelector:
			s := selector{Metric: e.Name, Matchers: []matcher{}}
			for _, m := range e.LabelMatchers {
				// The parser adds __name__="<name>" for a named selector: not a label the user wrote.
				if m.Name == labels.MetricName && m.Type == labels.MatchEqual && m.Value == e.Name {
					continue
				}
				s.Matchers = append(s.Matchers, matcher{Label: m.Name, Op: m.Type.String(), Value: m.Value})
			}
			r.Selectors = append(r.Selectors, s)
		case *parser.AggregateExpr:
			if len(e.Grouping) > 0 {
				clause := "by"
				if e.Without {
					clause = "without"
				}
				r.LabelUses = append(r.LabelUses, labelUse{Clause: clause, Labels: e.Grouping, Metrics: metricsUnder(e.Expr)})
			}
		case *parser.BinaryExpr:
			vm := e.VectorMatching
			if vm != nil && (len(vm.MatchingLabels) > 0 || len(vm.Include) > 0) {
				metrics := metricsUnder(e)
				clause := "ignoring"
				if vm.On {
					clause = "on"
				}
				if len(vm.MatchingLabels) > 0 {
					r.LabelUses = append(r.LabelUses, labelUse{Clause: clause, Labels: vm.MatchingLabels, Metrics: metrics})
				}
				if len(vm.Include) > 0 {
					r.LabelUses = append(r.LabelUses, labelUse{Clause: "group", Labels: vm.Include, Metrics: metrics})
				}
			}
		}
		return nil
	})
	return r
}

func main() {
	var inputs []string
	if err := json.NewDecoder(os.Stdin).Decode(&inputs); err != nil {
		fmt.Fprintf(os.Stderr, "cannot read expressions \"stdin\": %v\n", err)
		os.Exit(2)
	}
	p := parser.NewParser(parser.Options{})
	out := make([]result, 0, len(inputs))
	for _, in := range inputs {
		out = append(out, analyse(p, in))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(os.Stderr, "cannot write results \"stdout\": %v\n", err)
		os.Exit(1)
	}
}
