# bash completion for stubcompat(1): commands, options, client names (from
# `stubcompat clients --names`) and --set keys (from `stubcompat serve --keys`).

_stubcompat_list()
{
        # $1: the stubcompat to ask; the rest: its arguments
        local prog=$1
        shift
        "$prog" "$@" 2>/dev/null
}

_stubcompat()
{
        local cur prev words cword
        _init_completion -n = || return

        local prog=${words[0]}
        local commands="run merge diff clients resolvers calibrate serve reproduce check-zone version"

        # the command is the first word that is not an option
        local cmd="" i
        for ((i = 1; i < cword; i++)); do
                if [[ ${words[i]} != -* ]]; then
                        cmd=${words[i]}
                        break
                fi
        done

        if [[ -z $cmd ]]; then
                COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
                return
        fi

        # option values
        case $prev in
        -c | --clients)
                # a comma-separated list: complete the part after the last comma
                local done_part="" last=$cur
                if [[ $cur == *,* ]]; then
                        done_part=${cur%,*},
                        last=${cur##*,}
                fi
                local names="emulated real all $(_stubcompat_list "$prog" clients --names)"
                COMPREPLY=($(compgen -P "$done_part" -W "$names" -- "$last"))
                compopt -o nospace
                return
                ;;
        -s | --set)
                local keys=$(_stubcompat_list "$prog" serve --keys)
                COMPREPLY=($(compgen -S = -W "$keys" -- "$cur"))
                compopt -o nospace
                return
                ;;
        -o | --out)
                _filedir -d
                return
                ;;
        --baseline)
                _filedir json
                [[ ${#COMPREPLY[@]} -eq 0 ]] && _filedir -d
                return
                ;;
        --format | -f)
                if [[ $cmd == check-zone ]]; then
                        COMPREPLY=($(compgen -W "text json github" -- "$cur"))
                else
                        COMPREPLY=($(compgen -W "text github" -- "$cur"))
                fi
                return
                ;;
        --scenario)
                _filedir scn
                return
                ;;
        --zone | --dig | --testns)
                _filedir
                return
                ;;
        --pcap)
                if [[ $cmd == reproduce ]]; then
                        _filedir '@(pcap|pcapng|cap)'
                        return
                fi
                ;;
        -p | --port | -j | --jobs | --shard | --idle-ms | -n | --name | --origin | -l | --limit | \
        --listen | --server-port | -t | --type)
                return
                ;;
        esac

        local opts=""
        case $cmd in
        run)
                opts="--clients --set --out --shard --jobs --default --pcap --pcap=failing --pcap=all
                      --baseline --allow-incomplete --format --outputs --quiet --help" ;;
        merge)
                opts="--out --scenario --baseline --allow-incomplete --format --outputs --quiet --help" ;;
        diff)
                opts="--format --help" ;;
        clients)
                opts="--names --help" ;;
        resolvers)
                opts="--help" ;;
        calibrate)
                opts="--clients --out --help" ;;
        serve)
                opts="--port --set --listen --idle-ms --keys --quiet --help" ;;
        reproduce)
                opts="--zone --pcap --dig --testns --name --type --origin --set --clients --out
                      --pcap-out --server-port --jobs --quiet --include-anywhere --help" ;;
        check-zone)
                opts="--origin --limit --format --all --include-anywhere --help" ;;
        version)
                opts="--json --help" ;;
        esac

        if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "$opts" -- "$cur"))
                [[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace
                return
        fi

        # positional arguments
        case $cmd in
        run | calibrate | serve)
                _filedir scn ;;
        merge | diff)
                _filedir -d ;;
        check-zone)
                _filedir ;;
        esac
}
complete -F _stubcompat stubcompat
