; Registers the OAuth callback scheme io.ankra.bdc-companion for the installed executable.
; NSIS does not apply electron-builder's `protocols` on Windows (electron-builder #4582, #8145),
; so the keys are written here; SHELL_CONTEXT follows the per-user or per-machine choice.
!macro customInstall
  WriteRegStr SHELL_CONTEXT "Software\Classes\io.ankra.bdc-companion" "" "URL:Ankra BDC Companion"
  WriteRegStr SHELL_CONTEXT "Software\Classes\io.ankra.bdc-companion" "URL Protocol" ""
  WriteRegStr SHELL_CONTEXT "Software\Classes\io.ankra.bdc-companion\DefaultIcon" "" "$appExe,0"
  WriteRegStr SHELL_CONTEXT "Software\Classes\io.ankra.bdc-companion\shell\open\command" "" '"$appExe" "%1"'
!macroend

!macro customUnInstall
  DeleteRegKey SHELL_CONTEXT "Software\Classes\io.ankra.bdc-companion"
!macroend
