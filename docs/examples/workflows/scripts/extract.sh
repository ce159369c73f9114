#!/bin/bash
echo "extracting ${bizdate}"
