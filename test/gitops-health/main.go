// gitops-health prints, for each Kubernetes object on stdin, the health Argo CD and Flux report for
// it, computed by their own Go code (a test tool; nothing here is shipped):
//
//   - argocd: Argo CD's application controller path for one live resource. The argocd-cm data given
//     with -argocd-cm (deploy/argocd/argocd-cm-patch.yaml) is read by Argo CD's own SettingsManager
//     (util/settings, over an in-memory clientset holding that ConfigMap) into resource overrides,
//     which go through lua.ResourceHealthOverrides (util/lua: gopher-lua with the libraries Argo CD
//     opens, ExecuteHealthLua's handling of the returned table) into gitops-engine's
//     health.GetResourceHealth, exactly as controller/health.go does.
//   - kstatus: sigs.k8s.io/cli-utils/pkg/kstatus/status.Compute.
//   - fluxKstatus: the same function from github.com/fluxcd/cli-utils, the hard fork Flux's
//     kustomize-controller and helm-controller really link (through github.com/fluxcd/pkg/ssa).
//
// Input: JSON objects, one per line (or concatenated), or one JSON array. Output: one JSON line per
// object, in order. `gitops-health -versions` prints the module versions linked in.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/argoproj/argo-cd/v3/util/lua"
	"github.com/argoproj/argo-cd/v3/util/settings"
	"github.com/argoproj/gitops-engine/pkg/health"
	fluxstatus "github.com/fluxcd/cli-utils/pkg/kstatus/status"
	log "github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/yaml"
)

// The namespace and labels Argo CD's SettingsManager looks for argocd-cm with.
const argocdNamespace = "argocd"

// Modules whose versions -versions reports (the ones that decide the answers).
var reportedModules = []string{
	"github.com/argoproj/argo-cd/v3",
	"github.com/argoproj/gitops-engine",
	"github.com/yuin/gopher-lua",
	"sigs.k8s.io/cli-utils",
	"github.com/fluxcd/cli-utils",
}

type verdict struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	Error   string `json:"error,omitempty"`
}

type result struct {
	// Nil when Argo CD has no health for the object (no customization matched and no built-in).
	ArgoCD      *verdict `json:"argocd"`
	KStatus     verdict  `json:"kstatus"`
	FluxKStatus verdict  `json:"fluxKstatus"`
}

func main() {
	cmFile := flag.String("argocd-cm", "", "YAML file whose data: is merged into argocd-cm (e.g. deploy/argocd/argocd-cm-patch.yaml)")
	versions := flag.Bool("versions", false, "print the versions of the Argo CD, gitops-engine, gopher-lua and kstatus modules linked in, as JSON")
	flag.Parse()
	if *versions {
		if err := printVersions(os.Stdout); err != nil {
			fail(err)
		}
		return
	}
	if *cmFile == "" {
		fail(errors.New("cannot start: -argocd-cm is required"))
	}
	// Argo CD's settings code logs at info level ("Ignore status for all objects"): keep stdout for results.
	log.SetOutput(os.Stderr)
	log.SetLevel(log.WarnLevel)

	overrides, err := argocdOverrides(*cmFile)
	if err != nil {
		fail(err)
	}
	objects, err := readObjects(os.Stdin)
	if err != nil {
		fail(err)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for _, obj := range objects {
		if err := enc.Encode(evaluate(obj, overrides)); err != nil {
			fail(fmt.Errorf("cannot write result: %w", err))
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gitops-health:", err)
	os.Exit(1)
}

// argocdOverrides reads argocd-cm's resource customizations with Argo CD's own settings code.
func argocdOverrides(file string) (lua.ResourceHealthOverrides, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("cannot read argocd-cm data %q: %w", file, err)
	}
	var patch struct {
		Data map[string]string `json:"data"`
	}
	if err := yaml.UnmarshalStrict(raw, &patch); err != nil {
		return nil, fmt.Errorf("cannot parse argocd-cm data %q: %w", file, err)
	}
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "argocd-cm", Namespace: argocdNamespace, Labels: map[string]string{"app.kubernetes.io/part-of": "argocd"}},
		Data:       patch.Data,
	}
	// The informers it starts run until the process exits; the overrides are read once.
	mgr := settings.NewSettingsManager(context.Background(), fake.NewClientset(cm), argocdNamespace)
	overrides, err := mgr.GetResourceOverrides()
	if err != nil {
		return nil, fmt.Errorf("cannot read resource overrides from argocd-cm data %q: %w", file, err)
	}
	return lua.ResourceHealthOverrides(overrides), nil
}

func readObjects(r io.Reader) ([]*unstructured.Unstructured, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("cannot read objects from stdin: %w", err)
	}
	var values []json.RawMessage
	trimmed := bytes.TrimSpace(raw)
	if bytes.HasPrefix(trimmed, []byte("[")) {
		if err := json.Unmarshal(trimmed, &values); err != nil {
			return nil, fmt.Errorf("cannot parse the JSON array on stdin: %w", err)
		}
	} else {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		for {
			var v json.RawMessage
			if err := dec.Decode(&v); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("cannot parse object %d on stdin: %w", len(values)+1, err)
			}
			values = append(values, v)
		}
	}
	objects := make([]*unstructured.Unstructured, 0, len(values))
	for i, v := range values {
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(v); err != nil {
			return nil, fmt.Errorf("cannot parse object %d on stdin: %w", i+1, err)
		}
		objects = append(objects, u)
	}
	return objects, nil
}

func evaluate(obj *unstructured.Unstructured, overrides lua.ResourceHealthOverrides) result {
	var res result
	// As controller/health.go: an error still comes with a status (Unknown and the error's text).
	hs, err := health.GetResourceHealth(obj, overrides)
	if hs != nil || err != nil {
		res.ArgoCD = &verdict{}
		if hs != nil {
			res.ArgoCD.Status, res.ArgoCD.Message = string(hs.Status), hs.Message
		}
		if err != nil {
			res.ArgoCD.Error = err.Error()
		}
	}
	if r, err := status.Compute(obj); err != nil {
		res.KStatus.Error = err.Error()
	} else {
		res.KStatus.Status, res.KStatus.Message = string(r.Status), r.Message
	}
	if r, err := fluxstatus.Compute(obj); err != nil {
		res.FluxKStatus.Error = err.Error()
	} else {
		res.FluxKStatus.Status, res.FluxKStatus.Message = string(r.Status), r.Message
	}
	return res
}

func printVersions(w io.Writer) error {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return errors.New("cannot read build info: binary built without module support")
	}
	found := map[string]string{"go": info.GoVersion}
	for _, dep := range info.Deps {
		m := dep
		if dep.Replace != nil {
			m = dep.Replace
		}
		for _, want := range reportedModules {
			if dep.Path == want {
				found[want] = strings.TrimSpace(m.Version)
			}
		}
	}
	return json.NewEncoder(w).Encode(found)
}
