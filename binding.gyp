{
  "targets": [
    {
      "target_name": "gopher_auth_addon",
      "sources": [
        "native/addon.cc",
        "native/background.cc",
        "native/handle_table.cc",
        "native/key_cache.cc",
        "native/library.cc",
        "native/log_capture.cc",
        "native/validation.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-O2", "-fvisibility=hidden"],
      "libraries": ["-ldl"]
    }
  ]
}
