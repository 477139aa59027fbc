/**
 * The shell scripts `completion bash|zsh|fish` prints. They hold no knowledge of their own:
 * on TAB each asks the CLI itself (`k8s-storage __complete WORDS...`, cobra's protocol, see
 * resolve.ts), so they cannot drift from the commands, flags and values that ship.
 */

/** The names the scripts complete: the CLI, and the kubectl plugin run on its own. */
export const COMPLETED_NAMES = ['k8s-storage', 'kubectl-microk8s_storage'] as const;

const bash = `# bash completion for k8s-storage
#   source <(k8s-storage completion bash)        # or save it in ~/.local/share/bash-completion/completions/k8s-storage
_k8s_storage() {
  local cur=\${COMP_WORDS[COMP_CWORD]} out directive line
  local -a lines
  out=$("\${COMP_WORDS[0]}" __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
  mapfile -t lines <<<"$out"
  directive=\${lines[\${#lines[@]}-1]}
  [[ $directive == :* ]] || return 0
  directive=\${directive#:}
  unset 'lines[\${#lines[@]}-1]'
  COMPREPLY=()
  for line in "\${lines[@]}"; do
    [[ -n $line ]] && COMPREPLY+=("\${line%%$'\\t'*}")
  done
  if ((\${#COMPREPLY[@]} == 0 && (directive & 4) == 0)); then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    compopt -o filenames 2>/dev/null
  fi
  return 0
}
complete -F _k8s_storage ${COMPLETED_NAMES.join(' ')}
`;

const zsh = `#compdef ${COMPLETED_NAMES.join(' ')}
# zsh completion for k8s-storage
#   source <(k8s-storage completion zsh)         # or save it as _k8s-storage in a directory of $fpath
_k8s_storage() {
  local out directive line
  local -a lines candidates
  out=$("\${words[1]}" __complete "\${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
  lines=("\${(@f)out}")
  directive=\${lines[-1]}
  [[ $directive == :* ]] || return 1
  directive=\${directive#:}
  for line in "\${(@)lines[1,-2]}"; do
    [[ -n $line ]] || continue
    if [[ $line == *$'\\t'* ]]; then
      candidates+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
    else
      candidates+=("\${line//:/\\\\:}")
    fi
  done
  if (( \${#candidates} )); then
    _describe -t values 'k8s-storage' candidates
  elif (( (directive & 4) == 0 )); then
    _files
  fi
}
if [[ \${funcstack[1]-} == _k8s_storage ]]; then
  # Autoloaded from $fpath: this file is the function's body.
  _k8s_storage "$@"
else
  # Sourced: register it, starting zsh's completion system first when the shell has not.
  (( \${+functions[compdef]} )) || { autoload -Uz compinit && compinit -i; }
  compdef _k8s_storage ${COMPLETED_NAMES.join(' ')}
fi
`;

const fish = `# fish completion for k8s-storage
#   k8s-storage completion fish > ~/.config/fish/completions/k8s-storage.fish
function __k8s_storage_complete
    set -l words (commandline -opc)
    set -l out ($words[1] __complete $words[2..-1] (commandline -ct) 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    # Bit 4 of the directive (cobra's NoFileComp) unset: no candidates means the shell's files.
    if test (count $out) -eq 0; and test (math --scale=0 "$directive / 4 % 2") -eq 0
        __fish_complete_path (commandline -ct)
        return
    end
    printf '%s\\n' $out
end
${COMPLETED_NAMES.map((n) => `complete -c ${n} -f -a '(__k8s_storage_complete)'`).join('\n')}
`;

export const SCRIPTS: Readonly<Record<string, string>> = { bash, zsh, fish };

