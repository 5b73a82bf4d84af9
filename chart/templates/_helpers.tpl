{{/* The chart's name, or nameOverride. */}}
{{- define "clusterdns.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-clusterdns, or the release name alone when it already says clusterdns, or fullnameOverride. */}}
{{- define "clusterdns.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels that select this release's pods (Deployment, PDB, anti-affinity, spread). */}}
{{- define "clusterdns.selectorLabels" -}}
app.kubernetes.io/name: {{ include "clusterdns.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "clusterdns.labels" -}}
{{ include "clusterdns.selectorLabels" . }}
k8s-app: {{ .Values.k8sAppLabel }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "clusterdns.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "clusterdns.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
The one port every server block listens on (the container's DNS port). Server blocks on different ports would
need a Service port each; the chart serves one.
*/}}
{{- define "clusterdns.dnsPort" -}}
{{- $port := 53 -}}
{{- range $i, $s := .Values.servers -}}
{{- $p := int (default 53 $s.port) -}}
{{- if eq $i 0 -}}{{- $port = $p -}}{{- else if ne $p $port -}}
{{- fail (printf "servers: every server block must use the same port (found %d and %d)" $port $p) -}}
{{- end -}}
{{- end -}}
{{- $port -}}
{{- end -}}

{{/* "true" when a kubernetes plugin says "pods verified": only then is the pods watch (and its RBAC) needed. */}}
{{- define "clusterdns.podsVerified" -}}
{{- $verified := false -}}
{{- range .Values.servers -}}
{{- range .plugins -}}
{{- if and (eq .name "kubernetes") (regexMatch "(?m)^\\s*pods\\s+verified\\s*$" (default "" .configBlock)) -}}
{{- $verified = true -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $verified -}}
{{- end -}}

{{/*
The memory limit in the JVM's own notation for -XX:MaxRAM: Mi/Gi/Ki become m/g/k (powers of 1024, as the JVM
reads them); M/G/k (powers of 1000) and plain bytes become bytes. Fails on a form it does not know, so the JVM never
runs with a limit other than the container's.
*/}}
{{- define "clusterdns.maxRAM" -}}
{{- $q := toString . -}}
{{- if regexMatch "^[0-9]+Gi$" $q -}}{{ trimSuffix "Gi" $q }}g
{{- else if regexMatch "^[0-9]+Mi$" $q -}}{{ trimSuffix "Mi" $q }}m
{{- else if regexMatch "^[0-9]+Ki$" $q -}}{{ trimSuffix "Ki" $q }}k
{{- else if regexMatch "^[0-9]+G$" $q -}}{{ mul (trimSuffix "G" $q | int64) 1000000000 }}
{{- else if regexMatch "^[0-9]+M$" $q -}}{{ mul (trimSuffix "M" $q | int64) 1000000 }}
{{- else if regexMatch "^[0-9]+k$" $q -}}{{ mul (trimSuffix "k" $q | int64) 1000 }}
{{- else if regexMatch "^[0-9]+$" $q -}}{{ $q }}
{{- else -}}{{ fail (printf "resources.limits.memory %q: use a whole number with Gi, Mi, Ki, G, M, k or none" $q) }}
{{- end -}}
{{- end -}}

{{/* The launcher's CLUSTERDNS_JAVA_OPTS: the heap and everything else sized from the container's memory limit. */}}
{{- define "clusterdns.javaOpts" -}}
{{- $limit := required "resources.limits.memory is required: the JVM sizes itself from it" .Values.resources.limits.memory -}}
{{- $opts := list (printf "-XX:MaxRAM=%s" (include "clusterdns.maxRAM" $limit)) (printf "-XX:MaxRAMPercentage=%v" .Values.jvm.maxRAMPercentage) "-Djava.io.tmpdir=/tmp" -}}
{{- if .Values.jvm.extraOptions -}}{{- $opts = append $opts .Values.jvm.extraOptions -}}{{- end -}}
{{- join " " $opts -}}
{{- end -}}
